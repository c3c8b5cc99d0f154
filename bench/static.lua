-- GET a static JSON answer (the nginx baseline).
dofile(os.getenv("PICTOR_BENCH_DIR") .. "/report.lua")
wrk.path = "/static.json"
