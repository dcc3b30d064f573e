/** belay's version, as reported in HostReport.agent_version and StatusResponse.version. */
export const BELAY_VERSION = '0.1.0';
