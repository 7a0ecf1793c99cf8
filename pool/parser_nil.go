package pool

import redis "github.com/duoredis/redis"

// nilParser marks a parser that is not built in.
var nilParser redis.NewParserFunc
