-- newsworker: the de-duplication decision for one article, atomic in Redis.
--
-- Replay first: an article id already decided gets its recorded decision back
-- (a message redelivered after a crash is recognised as itself). Otherwise
-- exact copy (content fingerprint), then the closest earlier article by MinHash
-- (LSH bands, best estimated Jaccard similarity). When it is at least the update
-- floor and its sentences are known, new content decides: MIN_NEW or more of
-- this article's sentences it does not have, and at least MIN_GROWTH more than
-- the sentences of it this article lacks (content added, not substituted: a
-- changed paragraph is an edit), make an *update* (indexed like an original,
-- same story); anything less is a *copy*. Without its sentences (indexed by
-- an older worker) the similarity threshold alone makes a copy. Otherwise the
-- article is an original (the first of a story) and is indexed.
-- Every decision that points at an earlier article records the story's first
-- article (st), so copies and updates of an update stay in the first's story.
--
-- KEYS (W = buckets in the window, current bucket first):
--   [1..W]        art:<b>    article id -> decision (JSON)
--   [W+1..2W]     exact:<b>  content fingerprint -> original article id
--   [2W+1..3W]    band:<b>   band key -> original article id
--   [3W+1..4W]    sig:<b>    original article id -> MinHash signature
--   [4W+1..5W]    chrome:<source>:<b>  line fingerprint -> articles of the source
--   [5W+1]        learned:<source>     line fingerprint -> bucket it was last confirmed in
--   [5W+2..6W+1]  sent:<b>   indexed article id -> its sentence fingerprints, concatenated
-- ARGV:
--   [1] W  [2] article id  [3] content fingerprint  [4] signature bytes
--   [5] threshold  [6] ttl seconds for keys of the current bucket
--   [7] band keys, concatenated (each [8] characters)
--   [9] line fingerprints of the article's short lines, concatenated (each [10] characters)
--   [11] most candidates compared  [12] K: articles that make a line chrome
--   [13] current bucket
--   [14] sentence fingerprints, concatenated (each [15] characters)
--   [16] update floor: least similarity to compare content  [17] MIN_NEW sentences
--   [18] MIN_GROWTH: new sentences less the earlier article's sentences it lacks
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
local sentences_packed = ARGV[14]
local SW = tonumber(ARGV[15])
local sentences = chunks(sentences_packed, SW)
local S = #sentences
local floor = tonumber(ARGV[16])
local min_new = tonumber(ARGV[17])
local min_growth = tonumber(ARGV[18])

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

-- The first article of the story an indexed article belongs to.
local function story_of(article)
  for i = 1, W do
    local recorded = redis.call('HGET', KEYS[i], article)
    if recorded then
      local ok, data = pcall(cjson.decode, recorded)
      if ok and type(data) == 'table' and data.st then
        return data.st
      end
      return article
    end
  end
  return article
end

for i = 1, W do
  local original = redis.call('HGET', KEYS[W + i], fp)
  if original and original ~= id then
    return record({d = 'duplicate', of = original, m = 'exact', s = 1, st = story_of(original)})
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
-- Index this article in the current bucket (an original or an update).
local function index()
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
  if S > 0 then
    redis.call('HSET', KEYS[5 * W + 2], id, sentences_packed)
    redis.call('EXPIRE', KEYS[5 * W + 2], ttl)
  end
end

if best_id and best_sim >= floor then
  local theirs = nil
  for k = 1, W do
    theirs = redis.call('HGET', KEYS[5 * W + 1 + k], best_id)
    if theirs then break end
  end
  if theirs then
    local have = {}
    local known_count = 0
    for _, known in ipairs(chunks(theirs, SW)) do
      have[known] = true
      known_count = known_count + 1
    end
    local new = 0
    for j = 1, S do
      if not have[sentences[j]] then
        new = new + 1
      end
    end
    local lacks = known_count - (S - new)
    local root = story_of(best_id)
    if new >= min_new and new - lacks >= min_growth then
      index()
      return record({d = 'update', of = best_id, s = best_sim, n = new, st = root})
    end
    return record({d = 'duplicate', of = best_id, m = 'near', s = best_sim, st = root})
  end
end
if best_id and best_sim >= threshold then
  return record({d = 'duplicate', of = best_id, m = 'near', s = best_sim, st = story_of(best_id)})
end

index()
return record({d = 'original', s = 0})
