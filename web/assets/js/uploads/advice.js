/**
 * What an upload failure means to the user (pure): the server's message plus what to do, and
 * whether the failure is "the file exists" (then Replace uploads again with overwrite).
 */

/** Codes FireFly or Databricks use when the target file is already there. */
const EXISTS_CODES = new Set(["already_exists", "file_exists", "resource_already_exists", "conflict"]);

/**
 * True when the target file already exists: a 409 with an "exists" code (PUT /api/files), or
 * Databricks' words in a message (DBFS answers 400 RESOURCE_ALREADY_EXISTS; a failed forward only
 * keeps its text: "A different file already exists at the target…").
 */
export function isExistsError(error) {
  if (!error) return false;
  if (error.status === 409 && EXISTS_CODES.has(error.code)) return true;
  return /already exists/i.test(error.message ?? "");
}

/** `{ message, hint }` for a failed upload; `hint` says what to try next ("" when nothing helps). */
export function uploadAdvice(error) {
  const message = error?.message ?? String(error);
  if (isExistsError(error)) return { message, hint: "A file with this name is already there. Replace overwrites it." };
  if (error?.code === "quota_exceeded") {
    return { message, hint: "Cancel an unfinished or failed upload in the lists below, or wait for one to finish, then Retry." };
  }
  if (error?.status === 413) return { message, hint: "The file is larger than FireFly accepts; ask your administrator about the upload size limit." };
  if (error?.code === "dbfs_path_not_allowed") return { message, hint: "Pick a folder your organization may write to." };
  if (error?.status === 403) {
    return { message, hint: "Your organization's service principal may not write to this folder (it needs WRITE VOLUME); pick another volume or ask your administrator." };
  }
  if (error?.status === 404) return { message, hint: "Check the folder: the volume may not exist, or your organization cannot see it." };
  if (error?.code === "invalid_path" || error?.code === "bad_request") return { message, hint: "Check the folder and the file name." };
  if (error?.status === 410) return { message, hint: "The server no longer holds this upload; Retry starts it again." };
  if (error?.status === 0) return { message, hint: "Nothing is lost: Retry continues once the connection is back." };
  if (error?.status === 429 || error?.status >= 500) return { message, hint: "FireFly or Databricks is busy; Retry in a moment." };
  return { message, hint: "" };
}
