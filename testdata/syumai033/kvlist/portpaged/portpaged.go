// Package portpaged lists through a configured port whose method returns
// the keys of a page and the cursor of the next.
package portpaged

import (
	"fmt"
	"io"

	"kvlint.test/syumai033/kvlist/pages"
)

// The cursor dropped: one page used as all of them.
func export(p pages.Pager, prefix string, w io.Writer) error { // want export:"kvlist"
	names, _, err := p.Page(prefix, "") // want `only the first page of this list is used`
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprintln(w, n)
	}
	return nil
}

// Quiet: one page printed with the cursor to continue from.
func dump(p pages.Pager, prefix, cursor string, w io.Writer) error {
	names, next, err := p.Page(prefix, cursor)
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprintln(w, n)
	}
	if next != "" {
		fmt.Fprintf(w, "next: %s\n", next)
	}
	return nil
}
