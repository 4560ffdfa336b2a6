/**
 * Running one statement: POST it, follow it with polls while PENDING/RUNNING (backoff from 0.5 s
 * to 5 s), and cancel it at any moment — before the id is known the cancel waits for it.
 */
import { isFinished, pollDelay } from "./poll.js";

const statusPath = (id) => `/api/sql/statements/${encodeURIComponent(id)}`;

/** A sleep that `wake()` cuts short (so a cancel is followed by a prompt poll). */
function wakeableSleep(sleep) {
  let wake = () => {};
  return {
    wait: (ms) => new Promise((resolve) => {
      wake = resolve;
      sleep(ms).then(resolve);
    }),
    wake: () => wake(),
  };
}

/**
 * Starts `request` (`{ statement, catalog?, schema? }`). `onUpdate(answer)` sees every answer.
 * Returns `{ done, cancel }`: `done` resolves with the final answer; `cancel()` asks Databricks to stop.
 */
export function runStatement(client, request, { onUpdate = () => {}, sleep }) {
  let statementId = null, cancelWanted = false, cancelSent = null;
  const pause = wakeableSleep(sleep);

  function sendCancel() {
    cancelSent ||= client.send("POST", `${statusPath(statementId)}/cancel`);
    pause.wake();
    return cancelSent;
  }

  async function follow(answer) {
    for (let attempt = 0; !isFinished(answer.status?.state); attempt += 1) {
      if (cancelWanted && !cancelSent) await sendCancel().catch(() => null);
      await pause.wait(cancelSent ? pollDelay(0) : pollDelay(attempt));
      answer = await client.get(statusPath(statementId), { cache: false });
      onUpdate(answer);
    }
    return answer;
  }

  const done = client.send("POST", "/api/sql/statements", { body: request }).then((answer) => {
    statementId = answer.statement_id;
    onUpdate(answer);
    return follow(answer);
  });

  return {
    done,
    /** Asks for the cancel now, or as soon as the statement id is known. */
    cancel() {
      cancelWanted = true;
      return statementId ? sendCancel() : Promise.resolve();
    },
  };
}

/** Follows an answer started elsewhere (the table preview) until it finishes; no cancel. */
export async function followStatement(client, answer, { sleep, onUpdate = () => {} }) {
  for (let attempt = 0; !isFinished(answer.status?.state); attempt += 1) {
    await sleep(pollDelay(attempt));
    answer = await client.get(statusPath(answer.statement_id), { cache: false });
    onUpdate(answer);
  }
  return answer;
}
