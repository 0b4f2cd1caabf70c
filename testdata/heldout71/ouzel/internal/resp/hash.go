package resp

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/tidwall/redcon"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
)

// Hashes are kept as one JSON object per key: {"field":"value",...}.

func (s *Server) loadHash(ctx context.Context, k string) (map[string]string, error) {
	raw, err := s.kv.Get(ctx, k)
	if errors.Is(err, kvstore.ErrNotFound) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	h := map[string]string{}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, errWrongType
	}
	return h, nil
}

func (s *Server) cmdHSet(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) < 3 || len(args)%2 != 1 {
		return errArity
	}
	k := st.key(args[0])
	h, err := s.loadHash(ctx, k)
	if err != nil {
		return err
	}
	added := 0
	for i := 1; i < len(args); i += 2 {
		f := string(args[i])
		if _, ok := h[f]; !ok {
			added++
		}
		h[f] = string(args[i+1])
	}
	raw, _ := json.Marshal(h)
	if err := s.kv.Put(ctx, k, raw, 0); err != nil { // EXPECT kvrace
		return err
	}
	conn.WriteInt(added)
	return nil
}

func (s *Server) cmdHGet(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 2 {
		return errArity
	}
	h, err := s.loadHash(ctx, st.key(args[0]))
	if err != nil {
		return err
	}
	v, ok := h[string(args[1])]
	if !ok {
		conn.WriteNull()
		return nil
	}
	conn.WriteBulkString(v)
	return nil
}

func (s *Server) cmdHDel(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) < 2 {
		return errArity
	}
	k := st.key(args[0])
	h, err := s.loadHash(ctx, k)
	if err != nil {
		return err
	}
	removed := 0
	for _, f := range args[1:] {
		if _, ok := h[string(f)]; ok {
			delete(h, string(f))
			removed++
		}
	}
	switch {
	case removed == 0:
	case len(h) == 0:
		err = s.kv.Delete(ctx, k)
	default:
		raw, _ := json.Marshal(h)
		err = s.kv.Put(ctx, k, raw, 0) // EXPECT kvrace
	}
	if err != nil {
		return err
	}
	conn.WriteInt(removed)
	return nil
}

func (s *Server) cmdHIncrBy(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 3 {
		return errArity
	}
	delta, err := parseInt(args[2])
	if err != nil {
		return err
	}
	k, f := st.key(args[0]), string(args[1])
	h, err := s.loadHash(ctx, k)
	if err != nil {
		return err
	}
	var cur int64
	if v, ok := h[f]; ok {
		if cur, err = strconv.ParseInt(v, 10, 64); err != nil {
			return errNotInt
		}
	}
	cur += delta
	h[f] = strconv.FormatInt(cur, 10)
	raw, _ := json.Marshal(h)
	if err := s.kv.Put(ctx, k, raw, 0); err != nil { // EXPECT kvrace|kvcounter
		return err
	}
	conn.WriteInt64(cur)
	return nil
}
