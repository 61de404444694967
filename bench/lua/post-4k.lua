-- S3: POST a 4 KiB body; the server reads it fully and answers with its length.
wrk.method = "POST"
wrk.body = string.rep("x", 4096)
wrk.headers["Content-Type"] = "application/octet-stream"
