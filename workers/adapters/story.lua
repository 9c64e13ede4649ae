-- newsworker: count one article into its story's state, atomically in Redis.
--
-- The story is found here, not by the caller: the article joins the story that
-- ARGV[9] (the article itself when it is a first article, else the article it
-- copies or updates) was linked to by link.lua, looked up in the recorded links
-- of the retention window; an article never linked (or linked before the
-- window) is the first article of its own story. So the link scripts of a batch
-- and these scripts go in one pipeline: a script run after a link script sees
-- its link.
--
-- An article is counted once: its id is recorded in the story's members hash of
-- the current time bucket, and looked up in every bucket of the retention
-- window, so a redelivered article changes nothing and gets the current state
-- back, and a story that keeps growing keeps only a window of member ids.
-- The entity counters are bounded too: past ARGV[8] of them, the half named
-- least often is dropped (see workers/core/stories.py, prune_entities).
--
-- KEYS: [1..W] lnk:<bucket>  article id -> link JSON {st, r, s}, current bucket first
-- ARGV: [1] article id  [2] relation (a first article's own link overrides it)  [3] source  [4] title of the story's first article
--       [5] now (epoch seconds)  [6] state ttl seconds  [7] members ttl seconds
--       [8] most entity counters kept  [9] id of the article whose story this joins
--       [10] state key prefix ("<tag>:ss:")  [11] members key prefix ("<tag>:sm:")
--       [12..11+W] the buckets of KEYS, in order  [12+W..] entity keys "<label>\t<canonical>"
-- The state and members keys are named from the story found, so they cannot be
-- declared in KEYS; they carry the same hash tag as KEYS (one cluster slot).
-- Returns {story root, the state hash (HGETALL)}.

local id, relation, source, title = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local most = tonumber(ARGV[8])
local W = #KEYS

local root = ARGV[9]
for i = 1, W do
  local recorded = redis.call('HGET', KEYS[i], ARGV[9])
  if recorded then
    local link = cjson.decode(recorded)
    root = link['st']
    if ARGV[9] == id then
      relation = link['r']  -- a first article: "first", or "coverage" of another's story
    end
    break
  end
end

local state = ARGV[10] .. root
local members = {}
for i = 1, W do
  members[i] = ARGV[11] .. root .. ':' .. ARGV[11 + i]
end

local counted = false
for i = 1, W do
  if redis.call('HEXISTS', members[i], id) == 1 then
    counted = true
    break
  end
end

if not counted then
  redis.call('HSET', members[1], id, relation)
  redis.call('EXPIRE', members[1], tonumber(ARGV[7]))
  redis.call('HSETNX', state, 'title', title)
  redis.call('HSETNX', state, 'fs', ARGV[5])
  local last = tonumber(redis.call('HGET', state, 'ls'))
  if not last or now > last then
    redis.call('HSET', state, 'ls', ARGV[5])
  end
  local first = tonumber(redis.call('HGET', state, 'fs'))
  if now < first then
    redis.call('HSET', state, 'fs', ARGV[5])
  end
  redis.call('HINCRBY', state, 'n', 1)
  redis.call('HINCRBY', state, 'r:' .. relation, 1)
  redis.call('HINCRBY', state, 'o:' .. source, 1)
  for i = 12 + W, #ARGV do
    redis.call('HINCRBY', state, 'e:' .. ARGV[i], 1)
  end
  if redis.call('HLEN', state) > most then
    local fields = redis.call('HGETALL', state)
    local named = {}
    for i = 1, #fields, 2 do
      if string.sub(fields[i], 1, 2) == 'e:' then
        named[#named + 1] = {fields[i], tonumber(fields[i + 1])}
      end
    end
    if #named > most then
      table.sort(named, function(a, b)
        if a[2] ~= b[2] then return a[2] > b[2] end
        return a[1] < b[1]
      end)
      for i = math.floor(most / 2) + 1, #named do
        redis.call('HDEL', state, named[i][1])
      end
    end
  end
end
redis.call('EXPIRE', state, ttl)
return {root, redis.call('HGETALL', state)}
