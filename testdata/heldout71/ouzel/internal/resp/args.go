package resp

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

var (
	errSyntax    = errors.New("syntax error")
	errArity     = errors.New("wrong number of arguments")
	errNotInt    = errors.New("value is not an integer")
	errNotFloat  = errors.New("value is not a float")
	errWrongType = errors.New("wrong type")
)

func parseInt(b []byte) (int64, error) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, errNotInt
	}
	return n, nil
}

func parseFloat(b []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, errNotFloat
	}
	return f, nil
}

// setOptions holds the parsed tail of SET key value [NX|XX] [GET]
// [EX s|PX ms|EXAT ts|PXAT ts-ms|KEEPTTL].
type setOptions struct {
	nx, xx  bool
	get     bool
	keepTTL bool
	ttl     time.Duration
	at      time.Time
}

func parseSetOptions(args [][]byte) (setOptions, error) {
	var o setOptions
	expiry := 0
	for i := 0; i < len(args); i++ {
		opt := strings.ToUpper(string(args[i]))
		switch opt {
		case "NX":
			o.nx = true
		case "XX":
			o.xx = true
		case "GET":
			o.get = true
		case "KEEPTTL":
			o.keepTTL = true
			expiry++
		case "EX", "PX", "EXAT", "PXAT":
			if i+1 >= len(args) {
				return o, errSyntax
			}
			i++
			n, err := parseInt(args[i])
			if err != nil {
				return o, err
			}
			if n <= 0 {
				return o, errors.New("invalid expire time in 'set' command")
			}
			expiry++
			switch opt {
			case "EX":
				o.ttl = time.Duration(n) * time.Second
			case "PX":
				o.ttl = time.Duration(n) * time.Millisecond
			case "EXAT":
				o.at = time.Unix(n, 0)
			case "PXAT":
				o.at = time.UnixMilli(n)
			}
		default:
			return o, errSyntax
		}
	}
	if (o.nx && o.xx) || expiry > 1 {
		return o, errSyntax
	}
	return o, nil
}

// scanArgs is SCAN cursor [MATCH pattern] [COUNT n].
type scanArgs struct {
	cursor string
	match  string
	count  int
}

func parseScanArgs(args [][]byte) (scanArgs, error) {
	if len(args) == 0 {
		return scanArgs{}, errArity
	}
	sa := scanArgs{cursor: string(args[0]), count: 10}
	if sa.cursor == "0" {
		sa.cursor = ""
	}
	for i := 1; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return sa, errSyntax
		}
		switch strings.ToUpper(string(args[i])) {
		case "MATCH":
			sa.match = string(args[i+1])
		case "COUNT":
			n, err := parseInt(args[i+1])
			if err != nil {
				return sa, err
			}
			sa.count = int(n)
		default:
			return sa, errSyntax
		}
	}
	return sa, nil
}

// globPrefix turns a Redis glob into the literal prefix KV can list by.
func globPrefix(pattern string) string {
	if i := strings.IndexAny(pattern, "*?["); i >= 0 {
		return pattern[:i]
	}
	return pattern
}
