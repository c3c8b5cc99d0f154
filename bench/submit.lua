-- POST /api/generate/submit with a small sandbox image (512x512 PNG), a new prompt each time.
dofile(os.getenv("PICTOR_BENCH_DIR") .. "/report.lua")
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("PICTOR_BENCH_KEY")
request = function()
  counter = counter + 1
  local body = '{"model":"nano-banana-2","input":{"prompt":"bench ' .. counter .. '","resolution":"0.5K","size":"1:1"}}'
  return wrk.format(nil, "/api/generate/submit", nil, body)
end
