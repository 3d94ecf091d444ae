-- wrk script of api_load.py: POST /v1/comments with a realistic mix of comments.
--
-- Usage: wrk -s post_comments.lua URL -- MIX_FILE RUN_TAG API_KEY
--   MIX_FILE  a Lua file that api_load.py writes: it returns a list of JSON body tails, each
--             the members of one comment after its id, e.g. '"article_id":"a","text":"..."}'
--   RUN_TAG   makes the comment ids of this run unique (the service stores every comment)
--   API_KEY   sent as "Authorization: Bearer API_KEY"
-- Every request gets a new comment id (RUN_TAG-THREAD-N); each thread walks the mix from its
-- own starting point. done() prints one line "WRK_RESULT {json}" for api_load.py to parse.

local threads = {}

function setup(thread)
   thread:set("thread_number", #threads + 1)
   table.insert(threads, thread)
end

local bodies, tag, sent, position

function init(args)
   bodies = dofile(args[1])
   tag = args[2] .. "-" .. thread_number .. "-"
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. args[3]
   sent = 0
   position = (thread_number * 7919) % #bodies
end

function request()
   sent = sent + 1
   position = position % #bodies + 1
   local body = '{"id":"' .. tag .. sent .. '",' .. bodies[position]
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,' ..
      '"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
      summary.requests, summary.duration, errors.status,
      errors.connect + errors.read + errors.write + errors.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max))
end
