-- load.lua - wrk script for t/load/run-load.sh.  Every request carries its
-- expected status in the query string; the server echoes the query string
-- in X-Expect, so response() can check each status (a response without the
-- echo counts as wrong).  wrk runs for its -d duration; run-load.sh
-- repeats short runs until the wanted count is reached.  (A header beyond
-- LimitRequestFieldSize, which
-- httpd itself answers with 400 and a lingering close, is left to
-- t/23_limits.t: under load it only measures the lingering close.)
--   LOAD_DIR       directory of header value files (one per case)
--   LOAD_HOSTILE   1: hostile cases only

local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

local function slurp(path)
    local f = assert(io.open(path, "rb"))
    local s = f:read("*a")
    f:close()
    return (s:gsub("[\r\n]+$", ""))
end

function init(args)
    local dir = os.getenv("LOAD_DIR")
    local hostile = os.getenv("LOAD_HOSTILE") == "1"
    -- case, location, expected status, hostile?
    local defs = {
        { "valid",     "/req/", 200, false },
        { "valid",     "/opt/", 200, false },
        { "expired",   "/req/", 403, true },
        { "foreign",   "/req/", 403, true },
        { "garbage",   "/req/", 403, true },
        { "badescape", "/req/", 403, true },
        { "nul",       "/req/", 403, true },
        { "eleven",    "/req/", 403, true },
        { "oversized", "/req/", 403, true },
        { "missing",   "/req/", 403, true },
        { "garbage",   "/opt/", 200, true },
        { "expired",   "/opt/", 200, true },
    }
    reqs = {}
    expect400 = 0
    for _, d in ipairs(defs) do
        if d[4] or not hostile then
            local headers = {}
            if d[1] ~= "missing" then
                headers["X-Amzn-Mtls-Clientcert"] = slurp(dir .. "/" .. d[1])
            end
            table.insert(reqs, wrk.format("GET", d[2] .. "ok.txt?" .. d[3],
                                          headers))
        end
    end
    idx = tonumber(id) or 0
    seen, right, wrong, no_echo = 0, 0, 0, 0
    statuses = {}
end

function request()
    idx = idx + 1
    return reqs[(idx % #reqs) + 1]
end

function response(status, headers, body)
    seen = seen + 1
    statuses[status] = (statuses[status] or 0) + 1
    local want = tonumber(headers["X-Expect"] or "")
    if want == nil then
        no_echo = no_echo + 1
        wrong = wrong + 1
    elseif want == status then
        right = right + 1
    else
        wrong = wrong + 1
    end
    wrk.thread:set("seen", seen)
    wrk.thread:set("right", right)
    wrk.thread:set("wrong", wrong)
    wrk.thread:set("s200", statuses[200] or 0)
    wrk.thread:set("s400", statuses[400] or 0)
    wrk.thread:set("s403", statuses[403] or 0)
    wrk.thread:set("s500", statuses[500] or 0)
end

function done(summary, latency, requests)
    local t = { seen = 0, right = 0, wrong = 0, s200 = 0, s400 = 0,
                s403 = 0, s500 = 0 }
    for _, th in ipairs(threads) do
        for k, _ in pairs(t) do
            t[k] = t[k] + (tonumber(th:get(k)) or 0)
        end
    end
    io.write(string.format("LOAD responses=%d right=%d wrong=%d " ..
        "status200=%d status400=%d status403=%d status500=%d " ..
        "socket_errors=%d timeouts=%d\n",
        t.seen, t.right, t.wrong, t.s200, t.s400, t.s403, t.s500,
        summary.errors.connect + summary.errors.read + summary.errors.write,
        summary.errors.timeout))
end
