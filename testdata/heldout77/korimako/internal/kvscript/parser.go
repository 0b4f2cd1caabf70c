package kvscript

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Op is a statement's verb.
type Op string

const (
	OpSet    Op = "set"
	OpCache  Op = "cache"
	OpGet    Op = "get"
	OpIncr   Op = "incr"
	OpAppend Op = "append"
	OpClaim  Op = "claim"
	OpDel    Op = "del"
	OpLs     Op = "ls"
	OpCopy   Op = "copy"
)

// arity gives the minimum and maximum number of arguments per verb.
var arity = map[Op][2]int{
	OpSet:    {2, 3},
	OpCache:  {3, 3},
	OpGet:    {1, 1},
	OpIncr:   {1, 2},
	OpAppend: {2, 2},
	OpClaim:  {2, 3},
	OpDel:    {1, 1},
	OpLs:     {1, 2},
	OpCopy:   {2, 3},
}

// Stmt is one parsed line.
type Stmt struct {
	Op   Op
	Args []string
	Line int
}

// Arg returns the i-th argument or "" if it is absent.
func (s Stmt) Arg(i int) string {
	if i < len(s.Args) {
		return s.Args[i]
	}
	return ""
}

// Program is a parsed script.
type Program struct {
	Stmts []Stmt
}

// Parse turns src into a Program.
func Parse(src string) (*Program, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	return p.program()
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) cur() token { return p.toks[p.pos] }

func (p *parser) program() (*Program, error) {
	prog := &Program{}
	for p.cur().kind != tokEOF {
		if p.cur().kind == tokNewline {
			p.pos++
			continue
		}
		st, err := p.stmt()
		if err != nil {
			return nil, err
		}
		prog.Stmts = append(prog.Stmts, st)
	}
	return prog, nil
}

func (p *parser) stmt() (Stmt, error) {
	head := p.cur()
	if head.kind != tokWord {
		return Stmt{}, fmt.Errorf("line %d: expected a verb, got %s", head.line, head.kind)
	}
	op := Op(strings.ToLower(head.text))
	bounds, ok := arity[op]
	if !ok {
		return Stmt{}, fmt.Errorf("line %d: unknown verb %q", head.line, head.text)
	}
	p.pos++
	st := Stmt{Op: op, Line: head.line}
	for p.cur().kind == tokWord || p.cur().kind == tokString {
		st.Args = append(st.Args, p.cur().text)
		p.pos++
	}
	if n := len(st.Args); n < bounds[0] || n > bounds[1] {
		return Stmt{}, fmt.Errorf("line %d: %s takes %d to %d arguments, got %d", head.line, op, bounds[0], bounds[1], n)
	}
	if k := p.cur().kind; k != tokNewline && k != tokEOF {
		return Stmt{}, fmt.Errorf("line %d: unexpected %s", head.line, k)
	}
	return st, nil
}

// ParseTTL reads a lifetime argument: bare integers are seconds, anything
// else must be a Go duration. An empty argument means no expiry.
func ParseTTL(s string) (time.Duration, error) {
	if s == "" || s == "0" || s == "-" {
		return 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad lifetime %q", s)
	}
	return d, nil
}
