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
--   [4W+1..5W]    chrome:<source>:<b>  line fingerprint -> articles of the source
--   [5W+1]        learned:<source>     line fingerprint -> bucket it was last confirmed in
-- ARGV:
--   [1] W  [2] article id  [3] content fingerprint  [4] signature bytes
--   [5] threshold  [6] ttl seconds for keys of the current bucket
--   [7] band keys, concatenated (each [8] characters)
--   [9] line fingerprints of the article's short lines, concatenated (each [10] characters)
--   [11] most candidates compared  [12] K: articles that make a line chrome
--   [13] current bucket
-- (Bands and lines travel as two strings: two arguments instead of up to 80.)
--
-- An original's short lines are counted per source; a line whose count over
-- the window reaches K is (re)confirmed in the source's learned hash, which
-- workers read (and cache) to drop that source's chrome.
-- Returns {"replay" | "new", decision JSON}.

local W = tonumber(ARGV[1])
local id = ARGV[2]
local fp = ARGV[3]
local sig = ARGV[4]
local threshold = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local function chunks(packed, width)
  local out = {}
  for at = 1, #packed, width do
    out[#out + 1] = string.sub(packed, at, at + width - 1)
  end
  return out
end
local bands = chunks(ARGV[7], tonumber(ARGV[8]))
local lines = chunks(ARGV[9], tonumber(ARGV[10]))
local B = #bands
local L = #lines
local max_candidates = tonumber(ARGV[11])
local K = tonumber(ARGV[12])
local current = ARGV[13]

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
for i = 1, W do
  -- one HMGET per bucket for all bands
  local found = redis.call('HMGET', KEYS[2 * W + i], unpack(bands))
  for j = 1, B do
    local candidate = found[j]
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
  redis.call('HSETNX', KEYS[2 * W + 1], bands[j], id)
end
redis.call('HSET', KEYS[3 * W + 1], id, sig)
for i = 1, 3 do
  redis.call('EXPIRE', KEYS[i * W + 1], ttl)
end
if L > 0 then
  local totals = {}
  for j = 1, L do
    totals[j] = redis.call('HINCRBY', KEYS[4 * W + 1], lines[j], 1)
  end
  for i = 2, W do
    -- one HMGET per older bucket for all the article's short lines
    local counts = redis.call('HMGET', KEYS[4 * W + i], unpack(lines))
    for j = 1, L do
      if counts[j] then
        totals[j] = totals[j] + tonumber(counts[j])
      end
    end
  end
  local confirmed = 0
  for j = 1, L do
    if totals[j] >= K then
      redis.call('HSET', KEYS[5 * W + 1], lines[j], current)
      confirmed = confirmed + 1
    end
  end
  redis.call('EXPIRE', KEYS[4 * W + 1], ttl)
  if confirmed > 0 then
    redis.call('EXPIRE', KEYS[5 * W + 1], ttl)
  end
end
return record({d = 'original', s = 0})
