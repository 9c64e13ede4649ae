-- newsworker: link a story's first article to a recent story, atomically in Redis.
--
-- The rule is workers/core/stories.py (Centroid.score, Centroid.add), run here
-- so two replicas never open two stories for one event at once, and a
-- redelivered article gets its recorded answer back.
--
-- Replay first: an article id already linked gets its recorded link. Otherwise
-- the article is counted into the story window's document frequencies, its
-- words and entities are weighed by them (stream_idf) into unit vectors, and
-- the stories indexed under the article's keys in the story window are
-- candidates (those sharing most keys first, at most MAX_CANDIDATES); the best
-- scoring one of those whose score reaches the threshold joins (relation
-- "coverage"; a story of one article needs SECOND_ARTICLE_FACTOR times the
-- threshold), else the article opens a story of its own ("first"). Either
-- way the article is added to its story's centroid (moved to the current
-- bucket, so an active story stays warm) and the story is indexed under the
-- article's keys.
--
-- KEYS (W = buckets of the retention window, S = buckets of the story window,
-- current bucket first in both):
--   [1..W]          lnk:<b>   article id -> link (JSON)
--   [W+1..W+S]      sx:<b>    index key -> story roots, a line each (ids hold no control characters), most recent last
--   [W+S+1..W+2S]   sc:<b>    story root -> centroid (MessagePack; JSON if older)
--   [W+2S+1..W+3S]  df:<b>    feature key -> articles with it; "#n" -> articles
-- ARGV:
--   [1] W  [2] S  [3] article id  [4] features (JSON: t, e, y, d, pm, pn, cm, cl,
--   k; t and e unweighed; pm the main people, pn the people named, as "initial family"
--   or a family name alone; cm the main countries, cl those its places lie in)
--   [5] threshold  [6] entity weight  [7] ttl of the current lnk bucket
--   [8] ttl of the current story buckets  [9] MAX_CANDIDATES  [10] CENTROID_SIZE
--   [11] INDEX_WIDTH  [12] IDF_SMOOTHING  [13] story window seconds (time apart that
--   can never be one event)  [14] DATE_CONFLICT (factor of the score when both name
--   days or months, none in common)  [15] PERSON_CONFLICT (factor when both have main
--   people and neither names one of the other's)  [16] STORY_MAIN_PEOPLE  [17]
--   STORY_NAMED_PEOPLE (people a centroid keeps, the counted most)  [18]
--   FULL_ENTITY_MATCH (entities in common from which the entities' cosine counts in
--   full; with fewer, that share of it)  [19] SECOND_ARTICLE_FACTOR (a story of one
--   article is joined from this many times the threshold: join_threshold)  [20]
--   PLACE_CONFLICT (factor when both have main countries and neither's lie among the
--   countries of the other's places)  [21] STORY_MAIN_COUNTRIES  [22] STORY_COUNTRIES
--   (countries a centroid keeps, the counted most)
-- Returns {"replay" | "new", link JSON {st, r, s}}.

local W = tonumber(ARGV[1])
local S = tonumber(ARGV[2])
local id = ARGV[3]
local threshold = tonumber(ARGV[5])
local entity_weight = tonumber(ARGV[6])
local link_ttl = tonumber(ARGV[7])
local story_ttl = tonumber(ARGV[8])
local max_candidates = tonumber(ARGV[9])
local size = tonumber(ARGV[10])
local width = tonumber(ARGV[11])
local smoothing = tonumber(ARGV[12])
local story_window = tonumber(ARGV[13])
local date_conflict = tonumber(ARGV[14])
local person_conflict = tonumber(ARGV[15])
local story_main_people = tonumber(ARGV[16])
local story_named_people = tonumber(ARGV[17])
local full_entity_match = tonumber(ARGV[18])
local second_article_factor = tonumber(ARGV[19])
local place_conflict = tonumber(ARGV[20])
local story_main_countries = tonumber(ARGV[21])
local story_countries = tonumber(ARGV[22])

for i = 1, W do
  local recorded = redis.call('HGET', KEYS[i], id)
  if recorded then
    return {'replay', recorded}
  end
end

local f = cjson.decode(ARGV[4])
f.d = f.d or {}
f.pm = f.pm or {}
f.pn = f.pn or {}
f.cm = f.cm or {}
f.cl = f.cl or {}

-- Document frequencies of the story window's earlier articles (stream_idf).
local names = {}
for k, _ in pairs(f.t) do
  names[#names + 1] = 't:' .. k
end
for k, _ in pairs(f.e) do
  names[#names + 1] = 'e:' .. k
end
names[#names + 1] = '#n'
local counts = {}
for j = 1, S do
  local found = redis.call('HMGET', KEYS[W + 2 * S + j], unpack(names))
  for n, value in ipairs(found) do
    if value then
      counts[names[n]] = (counts[names[n]] or 0) + tonumber(value)
    end
  end
end
-- earlier articles' frequencies read: now count this one
local documents = (counts['#n'] or 0) + 1
local df_current = KEYS[W + 2 * S + 1]
for _, name in ipairs(names) do
  redis.call('HINCRBY', df_current, name, 1)
end
redis.call('EXPIRE', df_current, story_ttl)
local function weighed(vector, prefix)
  local out, norm = {}, 0
  for k, w in pairs(vector) do
    local df = math.max(counts[prefix .. k] or 0, 1)
    local idf = math.log((documents + smoothing) / (df + smoothing - 1))
    if idf < 0 then
      idf = 0
    end
    out[k] = w * idf
    norm = norm + out[k] * out[k]
  end
  if norm == 0 then
    return {}
  end
  norm = math.sqrt(norm)
  for k, w in pairs(out) do
    out[k] = w / norm
  end
  return out
end
f.t = weighed(f.t, 't:')
f.e = weighed(f.e, 'e:')

local function cosine(unit, other)
  local norm = 0
  for _, w in pairs(other) do
    norm = norm + w * w
  end
  if norm == 0 then
    return 0
  end
  local dot = 0
  for k, w in pairs(unit) do
    local o = other[k]
    if o then
      dot = dot + w * o
    end
  end
  return dot / math.sqrt(norm)
end

-- Entities weighing something in both (Centroid.score's shared_entities).
local function shared_entities(unit, other)
  local n = 0
  for k, w in pairs(unit) do
    local o = other[k]
    if w > 0 and o and o > 0 then
      n = n + 1
    end
  end
  return n
end

-- Whether no value of the list is a key of the set.
local function none_in(values, set)
  for _, value in ipairs(values) do
    if set[value] then
      return false
    end
  end
  return true
end

-- Both name some (days of the week, months) but none in common.
local function disagree(mine, seen)
  return #mine > 0 and next(seen) ~= nil and none_in(mine, seen)
end

-- Both name years, all two or more apart (stories.years_apart): an article's years are
-- mostly its background, and reports of one event may name the years either side of it.
local function years_apart(mine, seen)
  if #mine == 0 or next(seen) == nil then
    return false
  end
  for year, _ in pairs(seen) do
    for _, value in ipairs(mine) do
      if math.abs(tonumber(value) - tonumber(year)) < 2 then
        return false
      end
    end
  end
  return true
end

-- Whether `named` names `person` ("initial family"): the same key, or the family name
-- alone (stories.knows).
local function known(person, named)
  return named[person] or named[string.match(person, '([^ ]*)$')]
end

-- Both have main people, and neither names any of the other's (Centroid.score).
local function strangers(main, named, story_main, story_named)
  if #main == 0 or next(story_main) == nil then
    return false
  end
  for _, person in ipairs(main) do
    if known(person, story_named) then
      return false
    end
  end
  local mine = {}
  for _, person in ipairs(named) do
    mine[person] = true
  end
  for person, _ in pairs(story_main) do
    if known(person, mine) then
      return false
    end
  end
  return true
end

-- Both have main countries, and neither's lie among the countries of the other's places
-- (Centroid.score).
local function abroad(main, located, story_main, story_located)
  return #main > 0
    and next(story_main) ~= nil
    and none_in(main, story_located)
    and none_in(located, story_main)
end

-- Centroids are MessagePack (about half the decoding time of JSON, which scoring a
-- batch's candidates is mostly made of); one written as JSON by an older worker is
-- still read (a MessagePack map never starts with "{").
local function decode_centroid(text)
  local c
  if string.sub(text, 1, 1) == '{' then
    c = cjson.decode(text)
  else
    c = cmsgpack.unpack(text)
  end
  -- empty maps come back as empty tables, or not at all
  c.t = c.t or {}
  c.e = c.e or {}
  c.y = c.y or {}
  c.d = c.d or {}
  c.pm = c.pm or {}
  c.pn = c.pn or {}
  c.cm = c.cm or {}
  c.cl = c.cl or {}
  return c
end

-- Candidates: stories sharing index keys with the article, most shared first.
local shared = {}
local order = {}
for _, key in ipairs(f.k) do
  for j = 1, S do
    local roots = redis.call('HGET', KEYS[W + j], key)
    if roots then
      for root in string.gmatch(roots, '[^\n]+') do
        if not shared[root] then
          shared[root] = 0
          order[#order + 1] = root
        end
        shared[root] = shared[root] + 1
      end
    end
  end
end
table.sort(order, function(a, b)
  if shared[a] ~= shared[b] then
    return shared[a] > shared[b]
  end
  return a < b
end)

-- best: the best scoring story the article can join; top: the best score of all
local best, best_score, best_centroid, best_bucket = nil, -1, nil, nil
local top = 0
for n = 1, math.min(#order, max_candidates) do
  local root = order[n]
  for j = 1, S do
    local text = redis.call('HGET', KEYS[W + S + j], root)
    if text then
      local centroid = decode_centroid(text)
      local apart = f.ts and centroid.ft and centroid.lt
        and (f.ts < centroid.ft - story_window or f.ts > centroid.lt + story_window)
      if not years_apart(f.y, centroid.y) and not apart then
        local shared = math.min(shared_entities(f.e, centroid.e), full_entity_match)
        local score = (1 - entity_weight) * cosine(f.t, centroid.t)
          + entity_weight * cosine(f.e, centroid.e) * shared / full_entity_match
        if disagree(f.d, centroid.d) then
          score = score * date_conflict
        end
        if strangers(f.pm, f.pn, centroid.pm, centroid.pn) then
          score = score * person_conflict
        end
        if abroad(f.cm, f.cl, centroid.cm, centroid.cl) then
          score = score * place_conflict
        end
        local need = threshold
        if (centroid.n or 0) <= 1 then
          need = threshold * second_article_factor
        end
        top = math.max(top, score)
        if score >= need and (score > best_score or (score == best_score and root < best)) then
          best, best_score, best_centroid, best_bucket = root, score, centroid, j
        end
      end
      break
    end
  end
end

local root, relation, centroid
if best then
  root, relation, centroid = best, 'coverage', best_centroid
  if best_bucket ~= 1 then
    redis.call('HDEL', KEYS[W + S + best_bucket], root)
  end
else
  root, relation, centroid =
    id, 'first', {t = {}, e = {}, y = {}, d = {}, pm = {}, pn = {}, cm = {}, cl = {}, n = 0}
  best_score = top
end

-- Add weights (or counts) into a vector, the heaviest `most` kept (ties: by key), as
-- _pruned(_summed(...)) does.
local function add_pruned(into, unit, most)
  for k, w in pairs(unit) do
    into[k] = (into[k] or 0) + w
  end
  local keys = {}
  for k, _ in pairs(into) do
    keys[#keys + 1] = k
  end
  if #keys <= most then
    return into
  end
  table.sort(keys, function(a, b)
    if into[a] ~= into[b] then
      return into[a] > into[b]
    end
    return a < b
  end)
  local kept = {}
  for n = 1, most do
    kept[keys[n]] = into[keys[n]]
  end
  return kept
end

-- one for each name of a list
local function ones(names)
  local out = {}
  for _, name in ipairs(names) do
    out[name] = 1
  end
  return out
end

centroid.t = add_pruned(centroid.t, f.t, size)
centroid.e = add_pruned(centroid.e, f.e, size)
for _, year in ipairs(f.y) do
  centroid.y[year] = (centroid.y[year] or 0) + 1
end
for _, date in ipairs(f.d) do
  centroid.d[date] = (centroid.d[date] or 0) + 1
end
centroid.pm = add_pruned(centroid.pm, ones(f.pm), story_main_people)
centroid.pn = add_pruned(centroid.pn, ones(f.pn), story_named_people)
centroid.cm = add_pruned(centroid.cm, ones(f.cm), story_main_countries)
centroid.cl = add_pruned(centroid.cl, ones(f.cl), story_countries)
centroid.n = (centroid.n or 0) + 1
if f.ts then
  if not centroid.ft or f.ts < centroid.ft then
    centroid.ft = f.ts
  end
  if not centroid.lt or f.ts > centroid.lt then
    centroid.lt = f.ts
  end
end
redis.call('HSET', KEYS[W + S + 1], root, cmsgpack.pack(centroid))
redis.call('EXPIRE', KEYS[W + S + 1], story_ttl)

for _, key in ipairs(f.k) do
  local roots = redis.call('HGET', KEYS[W + 1], key)
  local list = {}
  if roots then
    for other in string.gmatch(roots, '[^\n]+') do
      if other ~= root then
        list[#list + 1] = other
      end
    end
  end
  list[#list + 1] = root
  while #list > width do
    table.remove(list, 1)
  end
  redis.call('HSET', KEYS[W + 1], key, table.concat(list, '\n'))
end
redis.call('EXPIRE', KEYS[W + 1], story_ttl)

local encoded = cjson.encode({st = root, r = relation, s = best_score})
redis.call('HSET', KEYS[1], id, encoded)
redis.call('EXPIRE', KEYS[1], link_ttl)
return {'new', encoded}
