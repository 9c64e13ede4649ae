-- newsworker: count one article into its story's state, atomically in Redis.
--
-- An article is counted once: its id is recorded in the story's members hash of
-- the current time bucket, and looked up in every bucket of the retention
-- window, so a redelivered article changes nothing and gets the current state
-- back, and a story that keeps growing keeps only a window of member ids.
-- The entity counters are bounded too: past ARGV[8] of them, the half named
-- least often is dropped (see workers/core/stories.py, prune_entities).
--
-- KEYS: [1] ss:<root>  the story's state (see workers/core/stories.py, story_record)
--       [2..] sm:<root>:<bucket>  article id -> relation, current bucket first
-- ARGV: [1] article id  [2] relation  [3] source  [4] title of the story's first article
--       [5] now (epoch seconds)  [6] state ttl seconds  [7] members ttl seconds
--       [8] most entity counters kept  [9..] entity keys "<label>\t<canonical>"
-- Returns the state hash (HGETALL).

local id, relation, source, title = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local most = tonumber(ARGV[8])

local counted = false
for i = 2, #KEYS do
  if redis.call('HEXISTS', KEYS[i], id) == 1 then
    counted = true
    break
  end
end

if not counted then
  redis.call('HSET', KEYS[2], id, relation)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[7]))
  redis.call('HSETNX', KEYS[1], 'title', title)
  redis.call('HSETNX', KEYS[1], 'fs', ARGV[5])
  local last = tonumber(redis.call('HGET', KEYS[1], 'ls'))
  if not last or now > last then
    redis.call('HSET', KEYS[1], 'ls', ARGV[5])
  end
  local first = tonumber(redis.call('HGET', KEYS[1], 'fs'))
  if now < first then
    redis.call('HSET', KEYS[1], 'fs', ARGV[5])
  end
  redis.call('HINCRBY', KEYS[1], 'n', 1)
  redis.call('HINCRBY', KEYS[1], 'r:' .. relation, 1)
  redis.call('HINCRBY', KEYS[1], 'o:' .. source, 1)
  for i = 9, #ARGV do
    redis.call('HINCRBY', KEYS[1], 'e:' .. ARGV[i], 1)
  end
  if redis.call('HLEN', KEYS[1]) > most then
    local fields = redis.call('HGETALL', KEYS[1])
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
        redis.call('HDEL', KEYS[1], named[i][1])
      end
    end
  end
end
redis.call('EXPIRE', KEYS[1], ttl)
return redis.call('HGETALL', KEYS[1])
