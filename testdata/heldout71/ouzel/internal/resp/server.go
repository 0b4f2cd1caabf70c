// Package resp serves a subset of the Redis protocol on top of Workers KV so
// that the legacy checkout monolith can keep its Redis client while carts,
// holds and coupons move to Cloudflare.
package resp

import (
	"context"
	"errors"
	"log"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
	"github.com/ouzel-commerce/ouzel/internal/luarun"
)

// Server is the RESP facade.
type Server struct {
	kv         *kvstore.Store
	scripts    *luarun.Runner
	password   string
	cmdTimeout time.Duration
	baseCtx    context.Context

	conns atomic.Int64
}

// Config configures a Server.
type Config struct {
	Password   string
	CmdTimeout time.Duration
}

// New returns a Server over store that runs EVAL through runner.
func New(ctx context.Context, store *kvstore.Store, runner *luarun.Runner, cfg Config) *Server {
	if cfg.CmdTimeout <= 0 {
		cfg.CmdTimeout = 5 * time.Second
	}
	return &Server{
		kv:         store,
		scripts:    runner,
		password:   cfg.Password,
		cmdTimeout: cfg.CmdTimeout,
		baseCtx:    ctx,
	}
}

// connState is what we keep per client connection.
type connState struct {
	db     int
	prefix string
	authed bool
	since  time.Time
}

func (st *connState) key(b []byte) string { return st.prefix + string(b) }

// ListenAndServe blocks serving addr.
func (s *Server) ListenAndServe(addr string) error {
	return redcon.ListenAndServe(addr, s.handle, s.accept, s.closed)
}

func (s *Server) accept(conn redcon.Conn) bool {
	conn.SetContext(&connState{authed: s.password == "", since: time.Now()})
	s.conns.Add(1)
	return true
}

func (s *Server) closed(conn redcon.Conn, err error) {
	s.conns.Add(-1)
	if err != nil && !errors.Is(err, errQuit) {
		log.Printf("resp: %s closed: %v", conn.RemoteAddr(), err)
	}
}

var errQuit = errors.New("quit")

func (s *Server) handle(conn redcon.Conn, cmd redcon.Command) {
	st, _ := conn.Context().(*connState)
	if st == nil {
		conn.WriteError("ERR internal: no connection state")
		return
	}
	name := strings.ToLower(string(cmd.Args[0]))
	if !st.authed && name != "auth" && name != "ping" && name != "quit" {
		conn.WriteError("NOAUTH Authentication required.")
		return
	}
	ctx, cancel := context.WithTimeout(s.baseCtx, s.cmdTimeout)
	defer cancel()

	args := cmd.Args[1:]
	var err error
	switch name {
	case "ping":
		if len(args) > 0 {
			conn.WriteBulk(args[0])
		} else {
			conn.WriteString("PONG")
		}
	case "quit":
		conn.WriteString("OK")
		conn.Close()
	case "auth":
		err = s.cmdAuth(conn, st, args)
	case "select":
		err = s.cmdSelect(conn, st, args)
	case "get":
		err = s.cmdGet(ctx, conn, st, args)
	case "set":
		err = s.cmdSet(ctx, conn, st, args)
	case "setex":
		err = s.cmdSetEx(ctx, conn, st, args)
	case "append":
		err = s.cmdAppend(ctx, conn, st, args)
	case "del", "unlink":
		err = s.cmdDel(ctx, conn, st, args)
	case "expire":
		err = s.cmdExpire(ctx, conn, st, args)
	case "expireat":
		err = s.cmdExpireAt(ctx, conn, st, args)
	case "pexpireat":
		err = s.cmdPExpireAt(ctx, conn, st, args)
	case "ttl", "pttl":
		err = s.cmdTTL(ctx, conn, st, args, name == "pttl")
	case "incr":
		err = s.cmdIncrBy(ctx, conn, st, args, 1, false)
	case "decr":
		err = s.cmdIncrBy(ctx, conn, st, args, -1, false)
	case "incrby":
		err = s.cmdIncrBy(ctx, conn, st, args, 1, true)
	case "decrby":
		err = s.cmdIncrBy(ctx, conn, st, args, -1, true)
	case "incrbyfloat":
		err = s.cmdIncrByFloat(ctx, conn, st, args)
	case "mget":
		err = s.cmdMGet(ctx, conn, st, args)
	case "mset":
		err = s.cmdMSet(ctx, conn, st, args)
	case "keys":
		err = s.cmdKeys(ctx, conn, st, args)
	case "scan":
		err = s.cmdScan(ctx, conn, st, args)
	case "hset":
		err = s.cmdHSet(ctx, conn, st, args)
	case "hget":
		err = s.cmdHGet(ctx, conn, st, args)
	case "hdel":
		err = s.cmdHDel(ctx, conn, st, args)
	case "hincrby":
		err = s.cmdHIncrBy(ctx, conn, st, args)
	case "eval":
		err = s.cmdEval(ctx, conn, st, args)
	default:
		conn.WriteError("ERR unknown command '" + name + "'")
		return
	}
	if err != nil {
		conn.WriteError(errorReply(err))
	}
}

// errorReply maps Go errors onto Redis-style error strings.
func errorReply(err error) string {
	switch {
	case errors.Is(err, errSyntax):
		return "ERR syntax error"
	case errors.Is(err, errArity):
		return "ERR wrong number of arguments"
	case errors.Is(err, errNotInt), errors.Is(err, kvstore.ErrNotInteger):
		return "ERR value is not an integer or out of range"
	case errors.Is(err, errNotFloat):
		return "ERR value is not a valid float"
	case errors.Is(err, errWrongType):
		return "WRONGTYPE Operation against a key holding the wrong kind of value"
	case errors.Is(err, context.DeadlineExceeded):
		return "ERR backend timeout"
	}
	return "ERR " + err.Error()
}

func (s *Server) cmdAuth(conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 1 && len(args) != 2 {
		return errArity
	}
	if string(args[len(args)-1]) != s.password {
		conn.WriteError("WRONGPASS invalid username-password pair or user is disabled.")
		return nil
	}
	st.authed = true
	conn.WriteString("OK")
	return nil
}

func (s *Server) cmdSelect(conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 1 {
		return errArity
	}
	db, err := parseInt(args[0])
	if err != nil || db < 0 || db > 15 {
		conn.WriteError("ERR DB index is out of range")
		return nil
	}
	st.db = int(db)
	st.prefix = ""
	if db > 0 {
		st.prefix = "db" + string(args[0]) + ":"
	}
	conn.WriteString("OK")
	return nil
}
