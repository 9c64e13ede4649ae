-- newsworker: the de-duplication decision for one article, atomic in Redis.
--
-- Replay first: an article id already decided gets its recorded decision back
-- (a message redelivered after a crash is recognised as itself). Otherwise
-- exact copy (content fingerprint), then near copy (MinHash LSH bands, the
-- best candidate by estimated Jaccard similarity at or above the threshold),
-- else the article is an original and is indexed in the current bucket.
--
-- KEYS (W = buckets in the window, current bucket first):
--   [1..W]        art:<b>    article id -> decision (JSON)
--   [W+1..2W]     exact:<b>  content fingerprint -> original article id
--   [2W+1..3W]    band:<b>   band key -> original article id
--   [3W+1..4W]    sig:<b>    original article id -> MinHash signature
--   [4W+1]        chrome:<source>:<current b>  line fingerprint -> articles
-- ARGV:
--   [1] W  [2] article id  [3] content fingerprint  [4] signature bytes
--   [5] threshold  [6] ttl seconds for keys of the current bucket
--   [7] number of bands B  [8] number of line fingerprints L
--   [9] most candidates compared
--   [10 .. 9+B] band keys, [10+B .. 9+B+L] line fingerprints
-- Returns {"replay" | "new", decision JSON}.

local W = tonumber(ARGV[1])
local id = ARGV[2]
local fp = ARGV[3]
local sig = ARGV[4]
local threshold = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local B = tonumber(ARGV[7])
local L = tonumber(ARGV[8])
local max_candidates = tonumber(ARGV[9])

for i = 1, W do
  local recorded = redis.call('HGET', KEYS[i], id)
  if recorded then
    return {'replay', recorded}
  end
end

local function record(decision)
  local encoded = cjson.encode(decision)
  redis.call('HSET', KEYS[1], id, encoded)
  redis.call('EXPIRE', KEYS[1], ttl)
  return {'new', encoded}
end

for i = 1, W do
  local original = redis.call('HGET', KEYS[W + i], fp)
  if original and original ~= id then
    return record({d = 'duplicate', of = original, m = 'exact', s = 1})
  end
end

local function similarity(a, b)
  if not b or #a ~= #b then
    return 0
  end
  local slots = #a / 4
  local same = 0
  for k = 0, slots - 1 do
    local at = k * 4 + 1
    if string.sub(a, at, at + 3) == string.sub(b, at, at + 3) then
      same = same + 1
    end
  end
  return same / slots
end

local seen = {}
local compared = 0
local best_id, best_sim = nil, 0
for j = 1, B do
  local band = ARGV[9 + j]
  for i = 1, W do
    local candidate = redis.call('HGET', KEYS[2 * W + i], band)
    if candidate and candidate ~= id and not seen[candidate] and compared < max_candidates then
      seen[candidate] = true
      compared = compared + 1
      local other = nil
      for k = 1, W do
        other = redis.call('HGET', KEYS[3 * W + k], candidate)
        if other then break end
      end
      local sim = similarity(sig, other)
      if sim > best_sim then
        best_id, best_sim = candidate, sim
      end
    end
  end
end
if best_id and best_sim >= threshold then
  return record({d = 'duplicate', of = best_id, m = 'near', s = best_sim})
end

-- An original: index it in the current bucket.
redis.call('HSETNX', KEYS[W + 1], fp, id)
for j = 1, B do
  redis.call('HSETNX', KEYS[2 * W + 1], ARGV[9 + j], id)
end
redis.call('HSET', KEYS[3 * W + 1], id, sig)
for i = 1, 3 do
  redis.call('EXPIRE', KEYS[i * W + 1], ttl)
end
if L > 0 then
  for j = 1, L do
    redis.call('HINCRBY', KEYS[4 * W + 1], ARGV[9 + B + j], 1)
  end
  redis.call('EXPIRE', KEYS[4 * W + 1], ttl)
end
return record({d = 'original', s = 0})
