-- POST an OpenAI-style image generation (the proxy-overhead scenario), to Pictor or to the fake directly.
dofile(os.getenv("PICTOR_BENCH_DIR") .. "/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("PICTOR_BENCH_KEY")
wrk.path = "/v1/images/generations"
wrk.body = '{"model":"gpt-image-2","prompt":"bench","size":"1024x1024"}'
