package resp

import (
	"context"
	"fmt"

	"github.com/tidwall/redcon"
)

// cmdEval implements EVAL script numkeys key [key ...] arg [arg ...].
func (s *Server) cmdEval(ctx context.Context, conn redcon.Conn, st *connState, args [][]byte) error {
	if len(args) < 2 {
		return errArity
	}
	nkeys, err := parseInt(args[1])
	if err != nil || nkeys < 0 || int(nkeys) > len(args)-2 {
		return errSyntax
	}
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = st.key(args[2+i])
	}
	argv := make([]string, 0, len(args)-2-int(nkeys))
	for _, a := range args[2+nkeys:] {
		argv = append(argv, string(a))
	}
	out, err := s.scripts.Eval(ctx, string(args[0]), keys, argv)
	if err != nil {
		conn.WriteError("ERR script: " + err.Error())
		return nil
	}
	writeValue(conn, out)
	return nil
}

func writeValue(conn redcon.Conn, v any) {
	switch x := v.(type) {
	case nil:
		conn.WriteNull()
	case string:
		conn.WriteBulkString(x)
	case int64:
		conn.WriteInt64(x)
	case bool:
		if x {
			conn.WriteInt(1)
		} else {
			conn.WriteNull()
		}
	case []any:
		conn.WriteArray(len(x))
		for _, e := range x {
			writeValue(conn, e)
		}
	default:
		conn.WriteBulkString(fmt.Sprint(x))
	}
}
