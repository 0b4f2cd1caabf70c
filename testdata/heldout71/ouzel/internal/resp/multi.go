package resp

import (
	"context"
	"path"

	"github.com/tidwall/redcon"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
)

func (s *Server) cmdMGet(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) == 0 {
		return errArity
	}
	keys := make([]string, len(args))
	for i, a := range args {
		keys[i] = st.key(a)
	}
	found := make(map[string]*string, len(keys))
	for start := 0; start < len(keys); start += kvstore.MaxBulkGet {
		end := min(start+kvstore.MaxBulkGet, len(keys))
		vals, err := s.kv.GetMany(ctx, keys[start:end])
		if err != nil {
			return err
		}
		for k, v := range vals {
			found[k] = v
		}
	}
	conn.WriteArray(len(keys))
	for _, k := range keys {
		if v := found[k]; v != nil {
			conn.WriteBulkString(*v)
		} else {
			conn.WriteNull()
		}
	}
	return nil
}

func (s *Server) cmdMSet(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) == 0 || len(args)%2 != 0 {
		return errArity
	}
	if len(args)/2 > kvstore.MaxBulkWrite {
		conn.WriteError("ERR too many pairs for one MSET")
		return nil
	}
	entries := make([]kvstore.Entry, 0, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		entries = append(entries, kvstore.Entry{Key: st.key(args[i]), Value: args[i+1]})
	}
	failed, err := s.kv.PutMany(ctx, entries)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		conn.WriteError("ERR partial MSET, retry keys: " + failed[0])
		return nil
	}
	conn.WriteString("OK")
	return nil
}

// cmdKeys answers KEYS pattern. KV can only list by prefix, so the glob is
// cut down to its literal prefix and the rest is matched here.
func (s *Server) cmdKeys(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) != 1 {
		return errArity
	}
	pattern := st.prefix + string(args[0])
	prefix := globPrefix(pattern)
	var out []string
	cursor := ""
	for {
		page, next, err := s.kv.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page {
			if ok, _ := path.Match(pattern, k.Name); ok {
				out = append(out, k.Name[len(st.prefix):])
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	conn.WriteArray(len(out))
	for _, k := range out {
		conn.WriteBulkString(k)
	}
	return nil
}

// cmdScan answers SCAN cursor [MATCH p] [COUNT n] with exactly one KV page;
// the KV cursor is handed back to the client as the SCAN cursor.
func (s *Server) cmdScan(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	sa, err := parseScanArgs(args)
	if err != nil {
		return err
	}
	pattern := st.prefix + "*"
	if sa.match != "" {
		pattern = st.prefix + sa.match
	}
	limit := min(max(sa.count, 10), 1000)
	page, next, err := s.kv.Page(ctx, globPrefix(pattern), sa.cursor, limit)
	if err != nil {
		return err
	}
	if next == "" {
		next = "0"
	}
	var names []string
	for _, k := range page {
		if ok, _ := path.Match(pattern, k.Name); ok {
			names = append(names, k.Name[len(st.prefix):])
		}
	}
	conn.WriteArray(2)
	conn.WriteBulkString(next)
	conn.WriteArray(len(names))
	for _, n := range names {
		conn.WriteBulkString(n)
	}
	return nil
}
