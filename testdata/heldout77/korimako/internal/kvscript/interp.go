package kvscript

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/korimako/korimako/internal/kvstore"
)

// ErrClaimed is returned by a claim statement when the key is already taken.
var ErrClaimed = errors.New("kvscript: key already claimed")

// Interp runs programs against one namespace.
type Interp struct {
	st   *kvstore.Store
	out  io.Writer
	vars map[string]string
	// DefaultListLimit is used by ls when the script gives none.
	DefaultListLimit int
}

// New returns an interpreter that writes the output of get and ls to out.
func New(st *kvstore.Store, out io.Writer) *Interp {
	return &Interp{st: st, out: out, vars: map[string]string{}, DefaultListLimit: 100}
}

// Let binds a variable used by {name} substitutions.
func (in *Interp) Let(name, value string) *Interp {
	in.vars[name] = value
	return in
}

// Run parses src and executes it statement by statement. It stops at the
// first failing statement.
func (in *Interp) Run(ctx context.Context, src string) error {
	prog, err := Parse(src)
	if err != nil {
		return err
	}
	return in.Exec(ctx, prog)
}

// Exec executes an already parsed program.
func (in *Interp) Exec(ctx context.Context, prog *Program) error {
	for _, st := range prog.Stmts {
		if err := in.exec(ctx, st); err != nil {
			return fmt.Errorf("line %d (%s): %w", st.Line, st.Op, err)
		}
	}
	return nil
}

var varRef = regexp.MustCompile(`\{([a-z_]+)\}`)

func (in *Interp) expand(s string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := in.vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

func (in *Interp) exec(ctx context.Context, s Stmt) error {
	key := in.expand(s.Arg(0))
	switch s.Op {
	case OpSet:
		ttl, err := ParseTTL(s.Arg(2))
		if err != nil {
			return err
		}
		return in.st.Put(ctx, key, in.expand(s.Arg(1)), ttl)

	case OpCache:
		ttl, err := ParseTTL(s.Arg(2))
		if err != nil {
			return err
		}
		return in.st.PutCached(ctx, key, in.expand(s.Arg(1)), ttl)

	case OpGet:
		v, err := in.st.Get(ctx, key)
		if errors.Is(err, kvstore.ErrNotFound) {
			_, err = fmt.Fprintf(in.out, "%s = (nil)\n", key)
			return err
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(in.out, "%s = %q\n", key, v)
		return err

	case OpIncr:
		by := 1
		if s.Arg(1) != "" {
			n, err := strconv.Atoi(s.Arg(1))
			if err != nil {
				return fmt.Errorf("bad increment %q", s.Arg(1))
			}
			by = n
		}
		cur, err := in.st.Get(ctx, key)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		n, _ := strconv.Atoi(cur)
		return in.st.Put(ctx, key, strconv.Itoa(n+by), 0) // EXPECT kvcounter|kvrace

	case OpAppend:
		cur, err := in.st.Get(ctx, key)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		return in.st.Put(ctx, key, cur+in.expand(s.Arg(1)), 0) // EXPECT kvrace

	case OpClaim:
		ttl, err := ParseTTL(s.Arg(2))
		if err != nil {
			return err
		}
		if _, err := in.st.Get(ctx, key); err == nil {
			return ErrClaimed
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		return in.st.Put(ctx, key, in.expand(s.Arg(1)), ttl) // EXPECT kvrace

	case OpDel:
		prefix, glob := strings.CutSuffix(key, "*")
		if !glob {
			return in.st.Delete(ctx, key)
		}
		var keys []string
		it := in.st.Keys(ctx, prefix) // EXPECT kvlist
		for it.Next() {
			keys = append(keys, it.Current().Name)
		}
		if err := it.Err(); err != nil {
			return err
		}
		_, _ = fmt.Fprintf(in.out, "deleting %d keys under %s\n", len(keys), prefix)
		return in.st.BulkDelete(ctx, keys)

	case OpLs:
		limit := in.DefaultListLimit
		if s.Arg(1) != "" {
			n, err := strconv.Atoi(s.Arg(1))
			if err != nil {
				return fmt.Errorf("bad limit %q", s.Arg(1))
			}
			limit = min(max(n, 10), 1000)
		}
		keys, cursor, err := in.st.Page(ctx, key, in.vars["cursor"], limit)
		if err != nil {
			return err
		}
		for _, k := range keys {
			_, _ = fmt.Fprintln(in.out, k.Name)
		}
		if cursor != "" {
			_, _ = fmt.Fprintf(in.out, "-- more: cursor=%s\n", cursor)
		}
		return nil

	case OpCopy:
		ttl, err := ParseTTL(s.Arg(2))
		if err != nil {
			return err
		}
		v, err := in.st.Get(ctx, key)
		if err != nil {
			return err
		}
		return in.st.Put(ctx, in.expand(s.Arg(1)), v, ttl)
	}
	return fmt.Errorf("verb %s not implemented", s.Op)
}
