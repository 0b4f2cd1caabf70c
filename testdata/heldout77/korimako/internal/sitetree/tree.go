// Package sitetree parses the outline format that describes a site's
// structure and walks the resulting tree with visitors.
//
// An outline is indented by two spaces per level:
//
//	site acme "Acme Ltd"
//	  page home "Home"
//	    asset /img/hero.jpg 8f2c11
//	  section blog "Blog"
//	    page hello "Hello, world"
//	  redirect /old /blog/hello 301
package sitetree

import (
	"bufio"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Kind is the type of a node.
type Kind int

const (
	KindSite Kind = iota
	KindSection
	KindPage
	KindAsset
	KindRedirect
)

var kindNames = map[string]Kind{
	"site": KindSite, "section": KindSection, "page": KindPage,
	"asset": KindAsset, "redirect": KindRedirect,
}

// Node is one element of the outline.
type Node struct {
	Kind     Kind
	Slug     string
	Title    string
	Args     []string
	Parent   *Node
	Children []*Node
}

// Path is the public URL path of a page or section.
func (n *Node) Path() string {
	var parts []string
	for p := n; p != nil && p.Kind != KindSite; p = p.Parent {
		parts = append([]string{p.Slug}, parts...)
	}
	return "/" + path.Join(parts...)
}

// Visitor's Visit method is invoked for each node encountered by Walk. If the
// result w is not nil, Walk visits each child of n with w, followed by a call
// of w.Visit(nil).
type Visitor interface {
	Visit(n *Node) (w Visitor)
}

// Walk traverses the tree in depth-first order.
func Walk(v Visitor, n *Node) {
	if v = v.Visit(n); v == nil {
		return
	}
	for _, c := range n.Children {
		Walk(v, c)
	}
	v.Visit(nil)
}

// Parse reads an outline.
func Parse(src string) (*Node, error) {
	var root *Node
	stack := []*Node{}
	sc := bufio.NewScanner(strings.NewReader(src))
	lineNo := 0
	for sc.Scan() {
		lineNo++
		raw := sc.Text()
		trimmed := strings.TrimLeft(raw, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		depth := (len(raw) - len(trimmed)) / 2
		fields, err := splitFields(trimmed)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		kind, ok := kindNames[fields[0]]
		if !ok || len(fields) < 2 {
			return nil, fmt.Errorf("line %d: bad node %q", lineNo, trimmed)
		}
		n := &Node{Kind: kind, Slug: fields[1]}
		if len(fields) > 2 {
			n.Title = fields[2]
			n.Args = fields[2:]
		}
		if depth == 0 {
			if root != nil || kind != KindSite {
				return nil, fmt.Errorf("line %d: only one site node may be at the top", lineNo)
			}
			root = n
			stack = []*Node{n}
			continue
		}
		if depth > len(stack) {
			return nil, fmt.Errorf("line %d: indented too far", lineNo)
		}
		stack = stack[:depth]
		n.Parent = stack[depth-1]
		n.Parent.Children = append(n.Parent.Children, n)
		stack = append(stack, n)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if root == nil {
		return nil, fmt.Errorf("empty outline")
	}
	return root, nil
}

func splitFields(s string) ([]string, error) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] == '"' {
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil, err
			}
			u, _ := strconv.Unquote(q)
			out = append(out, u)
			s = s[len(q):]
			continue
		}
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			i = len(s)
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out, nil
}
