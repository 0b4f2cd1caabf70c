package resp

import (
	"context"
	"errors"
	"time"

	"github.com/tidwall/redcon"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
)

func (s *Server) cmdGet(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 1 {
		return errArity
	}
	v, err := s.kv.Get(ctx, st.key(args[0]))
	if errors.Is(err, kvstore.ErrNotFound) {
		conn.WriteNull()
		return nil
	}
	if err != nil {
		return err
	}
	conn.WriteBulk(v)
	return nil
}

func (s *Server) cmdSet(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) < 2 {
		return errArity
	}
	k, val := st.key(args[0]), args[1]
	opts, err := parseSetOptions(args[2:])
	if err != nil {
		return err
	}
	if opts.nx {
		if !opts.at.IsZero() || opts.get {
			return errSyntax
		}
		return s.setNX(ctx, conn, k, val, opts.ttl)
	}

	var (
		old    []byte
		oldExp time.Time
		exists bool
	)
	if opts.xx || opts.get || opts.keepTTL {
		old, oldExp, err = s.kv.GetWithExpiry(ctx, k)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
		case err != nil:
			return err
		default:
			exists = true
		}
	}
	if opts.xx && !exists {
		conn.WriteNull()
		return nil
	}

	switch {
	case !opts.at.IsZero():
		err = s.kv.PutAt(ctx, k, val, opts.at)
	case opts.keepTTL && !oldExp.IsZero():
		err = s.kv.PutAt(ctx, k, val, oldExp)
	default:
		err = s.kv.Put(ctx, k, val, opts.ttl)
	}
	if err != nil {
		return err
	}
	switch {
	case opts.get && exists:
		conn.WriteBulk(old)
	case opts.get:
		conn.WriteNull()
	default:
		conn.WriteString("OK")
	}
	return nil
}

// setNX implements SET key value NX [EX|PX]: the write only happens when the
// key is absent. Distributed locks in the monolith are built on it.
func (s *Server) setNX(ctx context.Context, conn redcon.Conn, k string, val []byte, ttl time.Duration) error {
	_, err := s.kv.Get(ctx, k)
	if err == nil {
		conn.WriteNull()
		return nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err := s.kv.Put(ctx, k, val, ttl); err != nil { // EXPECT kvrace
		return err
	}
	conn.WriteString("OK")
	return nil
}

func (s *Server) cmdSetEx(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 3 {
		return errArity
	}
	secs, err := parseInt(args[1])
	if err != nil {
		return err
	}
	if secs <= 0 {
		conn.WriteError("ERR invalid expire time in 'setex' command")
		return nil
	}
	if err := s.kv.Put(ctx, st.key(args[0]), args[2], time.Duration(secs)*time.Second); err != nil {
		return err
	}
	conn.WriteString("OK")
	return nil
}

func (s *Server) cmdAppend(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 2 {
		return errArity
	}
	k := st.key(args[0])
	cur, err := s.kv.Get(ctx, k)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	next := append(cur, args[1]...)
	if err := s.kv.Put(ctx, k, next, 0); err != nil { // EXPECT kvrace
		return err
	}
	conn.WriteInt(len(next))
	return nil
}

func (s *Server) cmdDel(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) == 0 {
		return errArity
	}
	if len(args) == 1 {
		if err := s.kv.Delete(ctx, st.key(args[0])); err != nil {
			return err
		}
		conn.WriteInt(1)
		return nil
	}
	keys := make([]string, len(args))
	for i, a := range args {
		keys[i] = st.key(a)
	}
	if err := s.kv.DeleteMany(ctx, keys); err != nil {
		return err
	}
	conn.WriteInt(len(keys))
	return nil
}

func (s *Server) cmdExpire(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 2 {
		return errArity
	}
	secs, err := parseInt(args[1])
	if err != nil {
		return err
	}
	k := st.key(args[0])
	if secs <= 0 {
		return s.expireNow(ctx, conn, k)
	}
	return s.retime(ctx, conn, k, time.Duration(secs)*time.Second)
}

func (s *Server) cmdExpireAt(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 2 {
		return errArity
	}
	ts, err := parseInt(args[1])
	if err != nil {
		return err
	}
	k := st.key(args[0])
	ttl := time.Until(time.Unix(ts, 0))
	if ttl <= 0 {
		return s.expireNow(ctx, conn, k)
	}
	return s.retime(ctx, conn, k, ttl) // EXPECT kvttl
}

func (s *Server) cmdPExpireAt(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 2 {
		return errArity
	}
	ms, err := parseInt(args[1])
	if err != nil {
		return err
	}
	k := st.key(args[0])
	ttl := time.Until(time.UnixMilli(ms))
	if ttl <= 0 {
		return s.expireNow(ctx, conn, k)
	}
	return s.retime(ctx, conn, k, max(ttl, time.Minute))
}

// retime rewrites the current value of k with a new lifetime; KV has no
// separate "touch" call.
func (s *Server) retime(ctx context.Context, conn redcon.Conn, k string, ttl time.Duration) error {
	raw, err := s.kv.Get(ctx, k)
	if errors.Is(err, kvstore.ErrNotFound) {
		conn.WriteInt(0)
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.kv.Put(ctx, k, raw, ttl); err != nil { // DEBATABLE kvrace
		return err
	}
	conn.WriteInt(1)
	return nil
}

func (s *Server) expireNow(ctx context.Context, conn redcon.Conn, k string) error {
	if err := s.kv.Delete(ctx, k); err != nil {
		return err
	}
	conn.WriteInt(1)
	return nil
}

func (s *Server) cmdTTL(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte, millis bool) error {
	if len(args) != 1 {
		return errArity
	}
	_, exp, err := s.kv.GetWithExpiry(ctx, st.key(args[0]))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		conn.WriteInt(-2)
	case err != nil:
		return err
	case exp.IsZero():
		conn.WriteInt(-1)
	case millis:
		conn.WriteInt64(time.Until(exp).Milliseconds())
	default:
		conn.WriteInt64(int64(time.Until(exp).Seconds()))
	}
	return nil
}
