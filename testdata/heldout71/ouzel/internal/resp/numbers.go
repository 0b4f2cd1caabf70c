package resp

import (
	"context"
	"errors"
	"strconv"

	"github.com/tidwall/redcon"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
)

func (s *Server) cmdIncrBy(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte, sign int64, withArg bool) error {
	want := 1
	if withArg {
		want = 2
	}
	if len(args) != want {
		return errArity
	}
	delta := int64(1)
	if withArg {
		n, err := parseInt(args[1])
		if err != nil {
			return err
		}
		delta = n
	}
	n, err := s.kv.IncrBy(ctx, st.key(args[0]), sign*delta, 0)
	if err != nil {
		return err
	}
	conn.WriteInt64(n)
	return nil
}

func (s *Server) cmdIncrByFloat(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 2 {
		return errArity
	}
	incr, err := parseFloat(args[1])
	if err != nil {
		return err
	}
	k := st.key(args[0])
	var cur float64
	raw, err := s.kv.Get(ctx, k)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if cur, err = strconv.ParseFloat(string(raw), 64); err != nil {
			return errNotFloat
		}
	}
	out := strconv.FormatFloat(cur+incr, 'f', -1, 64)
	if err := s.kv.Put(ctx, k, []byte(out), 0); err != nil { // EXPECT kvrace|kvcounter
		return err
	}
	conn.WriteBulkString(out)
	return nil
}
