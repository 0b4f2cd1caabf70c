// Package feeds renders and caches RSS feeds, public and private.
package feeds

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// Item is the part of an episode a feed needs.
type Item struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	AudioBytes  int64     `json:"audio_bytes"`
	Duration    int       `json:"duration_s"`
	PublishedAt time.Time `json:"published_at"`
}

const itemTmpl = `<item><guid isPermaLink="false">%s</guid><title>%s</title><pubDate>%s</pubDate>` +
	`<enclosure url="%s/%s.mp3" length="%d" type="audio/mpeg"/><itunes:duration>%d</itunes:duration></item>
`

// Render produces the RSS document for one feed page.
func Render(title, link, downloadBase string, items []Item) ([]byte, error) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>` + "\n")
	fmt.Fprintf(&b, "<title>%s</title><link>%s</link>\n", html.EscapeString(title), html.EscapeString(link))
	for _, it := range items {
		if it.ID == "" {
			return nil, fmt.Errorf("feeds: item without id in %q", title)
		}
		fmt.Fprintf(&b, itemTmpl, it.ID, html.EscapeString(it.Title), it.PublishedAt.UTC().Format(time.RFC1123Z),
			downloadBase, it.ID, it.AudioBytes, it.Duration)
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String()), nil
}
