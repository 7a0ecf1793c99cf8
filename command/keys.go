package command

import (
	"strconv"
	"strings"
)

// keySpec says where a command's keys are among its arguments (args[0]
// is the command's name).
type keySpec struct {
	// first is the position of the first key (0: the command has none);
	// last is that of the last one, counted from the end when negative
	// (-1: the last argument); step is the distance between keys.
	first, last, step int
	// numkeys, when > 0, is the position of an argument that gives the
	// number of keys, which follow it (first is then ignored); extra is a
	// key before it (ZUNIONSTORE's destination), 0 for none.
	numkeys, extra int
	// after, when set, is a token (XREAD's STREAMS) after which the keys
	// are the first half of the remaining arguments.
	after string
	// sub: the keys are those of the subcommand (position 1), keyed
	// "NAME SUB" in the table.
	sub bool
}

var (
	one     = keySpec{first: 1, last: 1, step: 1}
	all     = keySpec{first: 1, last: -1, step: 1}
	kvPairs = keySpec{first: 1, last: -1, step: 2}
	two     = keySpec{first: 1, last: 2, step: 1}
	blocked = keySpec{first: 1, last: -2, step: 1} // BLPOP k1 k2 timeout
	second  = keySpec{first: 2, last: 2, step: 1}
	evalLk  = keySpec{numkeys: 2}
	numAt1  = keySpec{numkeys: 1}
	storeN  = keySpec{numkeys: 2, extra: 1}
	streams = keySpec{after: "STREAMS"}
	keyless = keySpec{}
	subcmd  = keySpec{sub: true}
)

// keySpecs lists the commands whose keys are not simply args[1]: keyless
// commands, commands with several keys, and commands whose key is
// elsewhere. Commands not listed have their key at position 1 when they
// have one more argument (GET, HSET, ZADD, ...).
var keySpecs = map[string]keySpec{
	// Keyless.
	"PING": keyless, "ECHO": keyless, "INFO": keyless, "DBSIZE": keyless, "FLUSHALL": keyless, "FLUSHDB": keyless,
	"TIME": keyless, "LASTSAVE": keyless, "SAVE": keyless, "BGSAVE": keyless, "BGREWRITEAOF": keyless,
	"RANDOMKEY": keyless, "KEYS": keyless, "SCAN": keyless, "SELECT": keyless, "SWAPDB": keyless,
	"AUTH": keyless, "HELLO": keyless, "QUIT": keyless, "RESET": keyless, "READONLY": keyless, "READWRITE": keyless,
	"PUBLISH": keyless, "SUBSCRIBE": keyless, "PSUBSCRIBE": keyless, "UNSUBSCRIBE": keyless, "PUNSUBSCRIBE": keyless,
	"SUNSUBSCRIBE": keyless, "MULTI": keyless, "EXEC": keyless, "DISCARD": keyless, "UNWATCH": keyless,
	"WAIT": keyless, "WAITAOF": keyless, "SHUTDOWN": keyless, "MONITOR": keyless, "ROLE": keyless,
	"FAILOVER": keyless, "REPLICAOF": keyless, "SLAVEOF": keyless, "LOLWUT": keyless, "ASKING": keyless,
	"SCRIPT": keyless, "FUNCTION": keyless, "CONFIG": keyless, "CLIENT": keyless, "CLUSTER": keyless,
	"COMMAND": keyless, "ACL": keyless, "LATENCY": keyless, "SLOWLOG": keyless, "MODULE": keyless,
	"PUBSUB": keyless, "DEBUG": keyless, "SYNC": keyless, "PSYNC": keyless,

	// Several keys, or not at 1.
	"DEL": all, "UNLINK": all, "EXISTS": all, "TOUCH": all, "MGET": all, "WATCH": all,
	"SINTER": all, "SUNION": all, "SDIFF": all, "SINTERSTORE": all, "SUNIONSTORE": all, "SDIFFSTORE": all,
	"PFCOUNT": all, "PFMERGE": all,
	"MSET": kvPairs, "MSETNX": kvPairs,
	"RENAME": two, "RENAMENX": two, "SMOVE": two, "RPOPLPUSH": two, "LMOVE": two, "BLMOVE": two,
	"BRPOPLPUSH": two, "COPY": two, "ZRANGESTORE": two, "GEOSEARCHSTORE": two, "LCS": two,
	"BLPOP": blocked, "BRPOP": blocked, "BZPOPMIN": blocked, "BZPOPMAX": blocked,
	"BITOP": {first: 2, last: -1, step: 1},
	"EVAL":  evalLk, "EVALSHA": evalLk, "EVAL_RO": evalLk, "EVALSHA_RO": evalLk, "FCALL": evalLk, "FCALL_RO": evalLk,
	"ZUNION": numAt1, "ZINTER": numAt1, "ZDIFF": numAt1, "ZINTERCARD": numAt1, "SINTERCARD": numAt1,
	"LMPOP": numAt1, "ZMPOP": numAt1,
	"BLMPOP": evalLk, "BZMPOP": evalLk,
	"ZUNIONSTORE": storeN, "ZINTERSTORE": storeN, "ZDIFFSTORE": storeN,
	"XREAD": streams, "XREADGROUP": streams,
	"OBJECT": subcmd, "MEMORY": subcmd, "XINFO": subcmd, "XGROUP": subcmd,
	"OBJECT ENCODING": second, "OBJECT FREQ": second, "OBJECT IDLETIME": second, "OBJECT REFCOUNT": second,
	"MEMORY USAGE": second, "XINFO STREAM": second, "XINFO GROUPS": second, "XINFO CONSUMERS": second,
	"XGROUP CREATE": second, "XGROUP SETID": second, "XGROUP DESTROY": second, "XGROUP CREATECONSUMER": second,
	"XGROUP DELCONSUMER": second,
	// MIGRATE host port key|"" db timeout [... KEYS k1 k2]: see keysOf.
	"MIGRATE": {first: 3, last: 3, step: 1},
}

// argText returns an argument's text when it is a string or []byte, and
// formats integers: keys and counts come as those.
func argText(a any) (string, bool) {
	switch v := a.(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}

// specOf returns the key spec of the command args.
func specOf(args []any) keySpec {
	name, _ := argText(args[0])
	name = strings.ToUpper(name)
	s, ok := keySpecs[name]
	if !ok {
		if len(args) > 1 {
			return one
		}
		return keyless
	}
	if s.sub {
		s = keyless
		if len(args) > 1 {
			sub, _ := argText(args[1])
			s = keySpecs[name+" "+strings.ToUpper(sub)]
		}
	}
	return s
}

// KeyPositions appends to dst the positions in args of the command's keys
// (args[0] is its name) and returns it: where a cluster client routes the
// command, and what must share one hash slot. A keyless command gives
// none; a command this package does not know is taken to have its key at
// position 1, as most commands do.
func KeyPositions(dst []int, args []any) []int {
	if len(args) == 0 {
		return dst
	}
	s := specOf(args)
	n := len(args)
	switch {
	case s.after != "":
		for i := 1; i < n; i++ {
			if t, ok := argText(args[i]); ok && strings.EqualFold(t, s.after) {
				rest := n - i - 1
				for j := 0; j < rest/2; j++ {
					dst = append(dst, i+1+j)
				}
				break
			}
		}
		return dst
	case s.numkeys > 0:
		if s.extra > 0 && s.extra < n {
			dst = append(dst, s.extra)
		}
		if s.numkeys >= n {
			return dst
		}
		t, _ := argText(args[s.numkeys])
		k, err := strconv.Atoi(t)
		if err != nil || k < 0 {
			return dst
		}
		for j := 0; j < k && s.numkeys+1+j < n; j++ {
			dst = append(dst, s.numkeys+1+j)
		}
		return dst
	case s.first == 0:
		return dst
	}
	if name, _ := argText(args[0]); strings.EqualFold(name, "MIGRATE") {
		return migrateKeys(dst, args)
	}
	last := s.last
	if last < 0 {
		last += n
	}
	for i := s.first; i <= last && i < n; i += s.step {
		dst = append(dst, i)
	}
	return dst
}

// migrateKeys: MIGRATE's key is at 3, or, when that is "", the arguments
// after KEYS.
func migrateKeys(dst []int, args []any) []int {
	if len(args) > 3 {
		if k, _ := argText(args[3]); k != "" {
			return append(dst, 3)
		}
	}
	for i := 6; i < len(args); i++ {
		if t, ok := argText(args[i]); ok && strings.EqualFold(t, "KEYS") {
			for j := i + 1; j < len(args); j++ {
				dst = append(dst, j)
			}
			break
		}
	}
	return dst
}

// FirstKey returns the command's first key, and false for a keyless
// command. It allocates nothing for a string key.
func FirstKey(args []any) (string, bool) {
	var buf [4]int
	pos := KeyPositions(buf[:0], args)
	if len(pos) == 0 {
		return "", false
	}
	return argText(args[pos[0]])
}

// numSlots is the number of hash slots of a Redis Cluster.
const numSlots = 16384

// Slot returns the Redis Cluster hash slot of key: CRC16 (XMODEM) of the
// key, or of the part between the first "{" and the next "}" when that
// part is not empty (a hash tag), modulo 16384.
func Slot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16(key) & 16383)
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial 0), as the cluster
// specification defines the key hash.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^s[i]]
	}
	return crc
}

var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()
