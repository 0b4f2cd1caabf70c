package main

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/chiffchaff/podhost/internal/catalog"
)

// renderFeed builds the RSS document of a show from the catalog.
func renderFeed(ctx context.Context, cat *catalog.Service, showID string) ([]byte, error) {
	sh, err := cat.Show(ctx, showID)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", showID, err)
	}
	ids, err := cat.Episodes(ctx, showID)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>%s</title>", html.EscapeString(sh.Title))
	for _, id := range ids {
		fmt.Fprintf(&b, "<item><guid>chiffchaff:%s</guid></item>", id)
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String()), nil
}
