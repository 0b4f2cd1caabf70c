// Package kvscript implements the small line-oriented language that site
// operators and the publisher use to touch KV directly:
//
//	# comments start with a hash
//	set   page/home "<h1>Hi</h1>" 3600
//	cache nav/{site} {nav} 5m
//	incr  stats/views
//	del   draft/*
//	ls    site/ 100
//
// Words in braces are replaced with the script's variables when a statement
// runs. Lifetimes are whole seconds or Go durations ("90s", "2h").
package kvscript

import (
	"fmt"
	"strings"
	"unicode"
)

type tokenKind int

const (
	tokWord tokenKind = iota
	tokString
	tokNewline
	tokEOF
)

var tokenNames = [...]string{"word", "string", "newline", "EOF"}

func (k tokenKind) String() string { return tokenNames[k] }

type token struct {
	kind tokenKind
	text string
	line int
}

type lexer struct {
	src  []rune
	pos  int
	line int
	toks []token
}

func lex(src string) ([]token, error) {
	lx := &lexer{src: []rune(src), line: 1}
	for {
		tok, err := lx.next()
		if err != nil {
			return nil, err
		}
		lx.toks = append(lx.toks, tok)
		if tok.kind == tokEOF {
			return lx.toks, nil
		}
	}
}

func (lx *lexer) peek() rune {
	if lx.pos >= len(lx.src) {
		return 0
	}
	return lx.src[lx.pos]
}

func (lx *lexer) next() (token, error) {
	for {
		r := lx.peek()
		switch {
		case r == 0:
			return token{kind: tokEOF, line: lx.line}, nil
		case r == '\n':
			lx.pos++
			lx.line++
			return token{kind: tokNewline, line: lx.line - 1}, nil
		case r == '#':
			for lx.peek() != '\n' && lx.peek() != 0 {
				lx.pos++
			}
		case unicode.IsSpace(r):
			lx.pos++
		case r == '"':
			return lx.quoted()
		default:
			return lx.word(), nil
		}
	}
}

func (lx *lexer) word() token {
	start := lx.pos
	for r := lx.peek(); r != 0 && !unicode.IsSpace(r) && r != '#'; r = lx.peek() {
		lx.pos++
	}
	return token{kind: tokWord, text: string(lx.src[start:lx.pos]), line: lx.line}
}

func (lx *lexer) quoted() (token, error) {
	line := lx.line
	lx.pos++ // opening quote
	var b strings.Builder
	for {
		r := lx.peek()
		switch r {
		case 0, '\n':
			return token{}, fmt.Errorf("line %d: unterminated string", line)
		case '\\':
			lx.pos++
			esc := lx.peek()
			lx.pos++
			switch esc {
			case 'n':
				b.WriteRune('\n')
			case 't':
				b.WriteRune('\t')
			default:
				b.WriteRune(esc)
			}
		case '"':
			lx.pos++
			return token{kind: tokString, text: b.String(), line: line}, nil
		default:
			b.WriteRune(r)
			lx.pos++
		}
	}
}
