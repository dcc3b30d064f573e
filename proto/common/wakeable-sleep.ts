/**
 * The pause between two passes of a control loop that something can end
 * early: a new spec stored, a report the loop waits for. A wake that comes
 * while the loop is busy (between sleeps) ends the next sleep at once, so
 * it is never lost.
 */
export class WakeableSleep {
  private wakeUp: (() => void) | undefined;
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.wakeUp = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }
}
