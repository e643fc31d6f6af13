-- wrk script for bench/load.sh: one scenario per run, chosen by environment variables.
--
--   LOAD_SCENARIO  list | read | matches | outcome | page | detail
--   LOAD_DATA      directory written by bench/load_data.py (token, cookie, id files)
--   LOAD_LABEL     label printed on the RESULT line
--   LOAD_PAGES     list/page: pages 1..N cycled (default 20)
--   LOAD_POOL_START  outcome: first index into followup_ids.txt this run may use (0-based)
--   LOAD_THREADS   the wrk -t value (outcome: to interleave the threads' slices of the pool)
--
-- Every request is a distinct follow-up for `outcome`: thread t of T takes pool entries
-- start + t, start + t + T, ... so no id is posted twice (a second POST would get 409).
-- done() prints one machine-readable line:
--   RESULT label rps p50_ms p90_ms p99_ms requests non2xx socket_errors next_pool_start

local scenario = os.getenv("LOAD_SCENARIO") or "list"
local data = os.getenv("LOAD_DATA") or "."
local label = os.getenv("LOAD_LABEL") or scenario
local pages = tonumber(os.getenv("LOAD_PAGES") or "20")
local pool_start = tonumber(os.getenv("LOAD_POOL_START") or "0")
local thread_total = tonumber(os.getenv("LOAD_THREADS") or "1")  -- must equal wrk -t

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("tid", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

local function read_lines(path)
   local items = {}
   local file = io.open(path, "r")
   if file == nil then
      return items
   end
   for line in file:lines() do
      if line ~= "" then
         table.insert(items, line)
      end
   end
   file:close()
   return items
end

local function read_one(path)
   local lines = read_lines(path)
   return lines[1]
end

-- Per-thread state (each wrk thread has its own Lua state).
local headers = {}
local returnee_ids = {}
local followup_ids = {}
local contacted_on = nil
local counter = 0
non2xx = 0
statuses = ""
issued = 0

function init(args)
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
   if scenario == "page" or scenario == "detail" then
      headers["Cookie"] = "reintegrate_session=" .. (read_one(data .. "/cookie") or "")
   else
      headers["Authorization"] = "Bearer " .. (read_one(data .. "/token") or "")
   end
   headers["Accept"] = (scenario == "page" or scenario == "detail") and "text/html" or "application/json"
   returnee_ids = read_lines(data .. "/returnee_ids.txt")
   if scenario == "outcome" then
      followup_ids = read_lines(data .. "/followup_ids.txt")
      contacted_on = read_one(data .. "/contacted_on")
      headers["Content-Type"] = "application/json"
   end
end

local function random_returnee()
   return returnee_ids[math.random(#returnee_ids)]
end

-- A realistic mix of what officers record; 1 in 20 re-migrated (ends the placement).
local function outcome_body(n)
   local r = n % 20
   if r < 13 then
      return '{"contacted_on":"' .. contacted_on .. '","status":"employed_same","monthly_income_usd":"'
         .. tostring(220 + n % 80) .. '.00"}'
   elseif r < 16 then
      return '{"contacted_on":"' .. contacted_on .. '","status":"employed_other","monthly_income_usd":"180.00"}'
   elseif r < 18 then
      return '{"contacted_on":"' .. contacted_on .. '","status":"unemployed","intends_to_remigrate":true}'
   elseif r < 19 then
      return '{"contacted_on":"' .. contacted_on .. '","status":"unreachable"}'
   end
   return '{"contacted_on":"' .. contacted_on .. '","status":"remigrated","remigration_country":"TH"}'
end

function request()
   counter = counter + 1
   if scenario == "list" then
      return wrk.format("GET", "/api/v1/returnees?page=" .. ((counter - 1) % pages + 1), headers)
   elseif scenario == "read" then
      return wrk.format("GET", "/api/v1/returnees/" .. random_returnee(), headers)
   elseif scenario == "matches" then
      return wrk.format("GET", "/api/v1/returnees/" .. random_returnee() .. "/matches", headers)
   elseif scenario == "page" then
      return wrk.format("GET", "/returnees?page=" .. ((counter - 1) % pages + 1), headers)
   elseif scenario == "detail" then
      return wrk.format("GET", "/returnees/" .. random_returnee(), headers)
   elseif scenario == "outcome" then
      local n = thread_total
      local index = pool_start + (tid or 0) + (counter - 1) * n
      issued = index + 1
      -- Past the end of the pool: id 0 does not exist, so the 404 shows up as a failure.
      local id = followup_ids[index + 1] or "0"
      return wrk.format("POST", "/api/v1/followups/" .. id .. "/outcome", headers, outcome_body(index))
   end
   error("unknown LOAD_SCENARIO " .. scenario)
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if #statuses < 200 then
         statuses = statuses .. status .. " "
      end
   end
end

function done(summary, latency, requests)
   local bad, furthest = 0, pool_start
   local seen = ""
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("non2xx") or 0)
      furthest = math.max(furthest, thread:get("issued") or 0)
      seen = seen .. (thread:get("statuses") or "")
   end
   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "RESULT %s %.1f %.1f %.1f %.1f %d %d %d %d\n",
      label,
      summary.requests / seconds,
      latency:percentile(50) / 1000,
      latency:percentile(90) / 1000,
      latency:percentile(99) / 1000,
      summary.requests,
      bad,
      socket_errors,
      furthest
   ))
   if seen ~= "" then
      io.write("non-2xx statuses seen (first few): " .. seen .. "\n")
   end
end
