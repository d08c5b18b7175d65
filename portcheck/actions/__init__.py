"""The commands that write files or act on the register: claim, free spans, edits,
renew, retire, reclaim, the stale collection, impact, and atomic writes. They use
the pipeline; the pipeline never uses them."""
