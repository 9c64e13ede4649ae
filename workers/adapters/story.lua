-- newsworker: count one article into its story's state, atomically in Redis.
--
-- An article is counted once: its id is recorded in the story's members hash,
-- so a redelivered article changes nothing and gets the current state back.
--
-- KEYS: [1] ss:<root>  the story's state (see workers/core/stories.py, story_record)
--       [2] sm:<root>  article id -> relation, the articles counted
-- ARGV: [1] article id  [2] relation  [3] source  [4] title of the story's first article
--       [5] now (epoch seconds)  [6] ttl seconds  [7..] entity keys "<label>\t<canonical>"
-- Returns the state hash (HGETALL).

local id, relation, source, title = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])

if redis.call('HSETNX', KEYS[2], id, relation) == 1 then
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
  for i = 7, #ARGV do
    redis.call('HINCRBY', KEYS[1], 'e:' .. ARGV[i], 1)
  end
end
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return redis.call('HGETALL', KEYS[1])
