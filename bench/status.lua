-- GET the status of one finished task, over and over.
dofile(os.getenv("PICTOR_BENCH_DIR") .. "/report.lua")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("PICTOR_BENCH_KEY")
wrk.path = "/api/generate/status/" .. os.getenv("PICTOR_BENCH_TASK")
