package feeds

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"time"

	"example.com/avocet/internal/domain"
)

type item struct {
	Title     string `xml:"title"`
	GUID      string `xml:"guid"`
	PubDate   string `xml:"pubDate"`
	Enclosure struct {
		URL  string `xml:"url,attr"`
		Type string `xml:"type,attr"`
	} `xml:"enclosure"`
	Duration int64 `xml:"itunes:duration"`
}

type rss struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	ITunes  string   `xml:"xmlns:itunes,attr"`
	Title   string   `xml:"channel>title"`
	Link    string   `xml:"channel>link"`
	Items   []item   `xml:"channel>item"`
}

// Render builds the RSS document for a show. When token is set the audio
// URLs carry it so private feeds keep working in podcast apps.
func Render(base string, show domain.Show, eps []domain.Episode, token string) ([]byte, error) {
	eps = slices.Clone(eps)
	slices.SortFunc(eps, func(a, b domain.Episode) int { return b.PublishedAt.Compare(a.PublishedAt) })
	doc := rss{Version: "2.0", ITunes: "http://www.itunes.com/dtds/podcast-1.0.dtd",
		Title: show.Title, Link: fmt.Sprintf("%s/shows/%s", base, show.Slug)}
	for _, e := range eps {
		if e.PublishedAt.IsZero() || e.PublishedAt.After(time.Now()) {
			continue
		}
		it := item{Title: e.Title, GUID: e.ShowID + "/" + e.ID, PubDate: e.PublishedAt.Format(time.RFC1123Z),
			Duration: int64(e.Length / time.Second)}
		it.Enclosure.URL, it.Enclosure.Type = fmt.Sprintf("%s/dl/%s/%s", base, e.ShowID, e.ID), "audio/mpeg"
		if token != "" {
			it.Enclosure.URL += "?t=" + token
		}
		doc.Items = append(doc.Items, it)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	err := xml.NewEncoder(&buf).Encode(doc)
	return buf.Bytes(), err
}
