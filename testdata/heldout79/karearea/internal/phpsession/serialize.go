package phpsession

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Vars is the decoded form of $_SESSION. Nested arrays decode to Vars too;
// PHP list-style arrays keep their integer keys as decimal strings.
type Vars map[string]any

var errSyntax = errors.New("phpsession: malformed serialized data")

// DecodeSession parses PHP's default "php" session serializer format:
// name|<serialize(value)>name|<serialize(value)>...
func DecodeSession(data string) (Vars, error) {
	out := Vars{}
	p := &parser{s: data}
	for p.pos < len(p.s) {
		bar := indexFrom(p.s, '|', p.pos)
		if bar < 0 {
			return nil, errSyntax
		}
		name := p.s[p.pos:bar]
		p.pos = bar + 1
		v, err := p.value()
		if err != nil {
			return nil, fmt.Errorf("%w (variable %q)", err, name)
		}
		out[name] = v
	}
	return out, nil
}

// EncodeSession is the inverse of DecodeSession. Variables are written in
// sorted order so unchanged sessions encode to identical bytes.
func EncodeSession(vars Vars) (string, error) {
	var buf bytes.Buffer
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		buf.WriteString(k)
		buf.WriteByte('|')
		if err := encodeValue(&buf, vars[k]); err != nil {
			return "", fmt.Errorf("phpsession: variable %q: %w", k, err)
		}
	}
	return buf.String(), nil
}

func encodeValue(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("N;")
	case bool:
		if x {
			buf.WriteString("b:1;")
		} else {
			buf.WriteString("b:0;")
		}
	case int64:
		fmt.Fprintf(buf, "i:%d;", x)
	case string:
		fmt.Fprintf(buf, "s:%d:\"%s\";", len(x), x)
	case Vars:
		return encodeArray(buf, x)
	default:
		return fmt.Errorf("unsupported type %T", v)
	}
	return nil
}

func encodeArray(buf *bytes.Buffer, m Vars) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, aerr := strconv.Atoi(keys[i])
		b, berr := strconv.Atoi(keys[j])
		if aerr == nil && berr == nil {
			return a < b
		}
		return keys[i] < keys[j]
	})
	fmt.Fprintf(buf, "a:%d:{", len(m))
	for _, k := range keys {
		if n, err := strconv.Atoi(k); err == nil {
			fmt.Fprintf(buf, "i:%d;", n)
		} else {
			fmt.Fprintf(buf, "s:%d:\"%s\";", len(k), k)
		}
		if err := encodeValue(buf, m[k]); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

type parser struct {
	s   string
	pos int
}

func indexFrom(s string, c byte, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func (p *parser) expect(c byte) error {
	if p.pos >= len(p.s) || p.s[p.pos] != c {
		return errSyntax
	}
	p.pos++
	return nil
}

func (p *parser) until(c byte) (string, error) {
	end := indexFrom(p.s, c, p.pos)
	if end < 0 {
		return "", errSyntax
	}
	tok := p.s[p.pos:end]
	p.pos = end + 1
	return tok, nil
}

func (p *parser) value() (any, error) {
	if p.pos+1 >= len(p.s) {
		return nil, errSyntax
	}
	kind := p.s[p.pos]
	if kind == 'N' {
		p.pos++
		return nil, p.expect(';')
	}
	p.pos++
	if err := p.expect(':'); err != nil {
		return nil, err
	}
	switch kind {
	case 'b':
		tok, err := p.until(';')
		return tok == "1", err
	case 'i':
		tok, err := p.until(';')
		if err != nil {
			return nil, err
		}
		return strconv.ParseInt(tok, 10, 64)
	case 's':
		tok, err := p.until(':')
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || p.pos+n+2 > len(p.s) {
			return nil, errSyntax
		}
		if err := p.expect('"'); err != nil {
			return nil, err
		}
		str := p.s[p.pos : p.pos+n]
		p.pos += n
		if err := p.expect('"'); err != nil {
			return nil, err
		}
		return str, p.expect(';')
	case 'a':
		tok, err := p.until(':')
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return nil, errSyntax
		}
		if err := p.expect('{'); err != nil {
			return nil, err
		}
		arr := make(Vars, n)
		for range n {
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			arr[fmt.Sprint(k)] = v
		}
		return arr, p.expect('}')
	}
	return nil, errSyntax
}
