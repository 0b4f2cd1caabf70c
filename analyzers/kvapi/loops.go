package kvapi

import (
	"go/token"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// A Loop is a strongly connected set of blocks of one function that
// form a cycle.
type Loop map[*ssa.BasicBlock]bool

// Loops returns the loops of fn, outermost ones: a nested loop is part of
// the loop around it.
func Loops(fn *ssa.Function) []Loop {
	var out []Loop
	done := make(map[*ssa.BasicBlock]bool)
	for _, b := range fn.Blocks {
		if done[b] {
			continue
		}
		reach := reachable(b)
		if !reach[b] {
			continue
		}
		scc := Loop{b: true}
		for c := range reach {
			if reachable(c)[b] {
				scc[c] = true
			}
		}
		for c := range scc {
			done[c] = true
		}
		out = append(out, scc)
	}
	return out
}

// reachable returns the blocks reachable from b by one edge or more.
func reachable(b *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := make(map[*ssa.BasicBlock]bool)
	queue := slices.Clone(b.Succs)
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if !seen[c] {
			seen[c] = true
			queue = append(queue, c.Succs...)
		}
	}
	return seen
}

// Reaches reports whether to can be reached from from by one edge or more.
func Reaches(from, to *ssa.BasicBlock) bool { return reachable(from)[to] }

// ReachesAlong reports whether to is from, or can be reached from it by
// edges that follow accepts.
func ReachesAlong(from, to *ssa.BasicBlock, follow func(b, succ *ssa.BasicBlock) bool) bool {
	seen := map[*ssa.BasicBlock]bool{from: true}
	for queue := []*ssa.BasicBlock{from}; len(queue) > 0; queue = queue[1:] {
		b := queue[0]
		if b == to {
			return true
		}
		for _, succ := range b.Succs {
			if !seen[succ] && follow(b, succ) {
				seen[succ] = true
				queue = append(queue, succ)
			}
		}
	}
	return false
}

// Header returns the loop's first block in the function's order.
func (l Loop) Header() *ssa.BasicBlock {
	var first *ssa.BasicBlock
	for b := range l {
		if first == nil || b.Index < first.Index {
			first = b
		}
	}
	return first
}

// Around returns the loop of fn that holds block b, or nil.
func Around(b *ssa.BasicBlock) Loop {
	for _, l := range Loops(b.Parent()) {
		if l[b] {
			return l
		}
	}
	return nil
}

// Repeats reports whether control may come back to b within the loop:
// false for a block that leaves the loop once it has run.
func (l Loop) Repeats(b *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	queue := []*ssa.BasicBlock{b}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, s := range c.Succs {
			if s == b {
				return true
			}
			if l[s] && !seen[s] {
				seen[s] = true
				queue = append(queue, s)
			}
		}
	}
	return false
}

// NaturalLoop returns the loop whose header is h: h and the blocks that
// reach a back edge into h without passing through h. Unlike Loops, it
// tells an inner loop from the loop around it. It is nil when no back
// edge enters h.
func NaturalLoop(h *ssa.BasicBlock) Loop {
	var loop Loop
	for _, p := range h.Preds {
		if !h.Dominates(p) {
			continue
		}
		if loop == nil {
			loop = Loop{h: true}
		}
		stack := []*ssa.BasicBlock{p}
		for len(stack) > 0 {
			b := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if loop[b] {
				continue
			}
			loop[b] = true
			stack = append(stack, b.Preds...)
		}
	}
	return loop
}

// Innermost returns the smallest natural loop that holds block b, or nil:
// the loop over a site's slots inside the loop over sites.
func Innermost(b *ssa.BasicBlock) Loop {
	var inner Loop
	for h := b; h != nil; h = h.Idom() {
		if l := NaturalLoop(h); l[b] && (inner == nil || len(l) < len(inner)) {
			inner = l
		}
	}
	return inner
}

// IsNil reports whether v is the constant nil.
func IsNil(v ssa.Value) bool { c, ok := v.(*ssa.Const); return ok && c.IsNil() }

// IsLen reports whether call is the builtin len.
func IsLen(call *ssa.Call) bool {
	b, ok := call.Call.Value.(*ssa.Builtin)
	return ok && b.Name() == "len"
}

// equalBranch returns the successor of block b, which ends in an If on
// cmp (x == y or x != y), that runs when the two are equal.
func equalBranch(b *ssa.BasicBlock, cmp *ssa.BinOp) *ssa.BasicBlock {
	if cmp.Op == token.NEQ {
		return b.Succs[1]
	}
	return b.Succs[0]
}
