package memory

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/birdline/gallinule/internal/kvstore"
)

// TagChange adds or removes one tag.
type TagChange struct {
	Tag    string `json:"tag"`
	Remove bool   `json:"remove,omitempty"`
}

func (c TagChange) apply(tags []string) []string {
	i := slices.Index(tags, c.Tag)
	switch {
	case c.Remove && i >= 0:
		return slices.Delete(tags, i, i+1)
	case !c.Remove && i < 0:
		return append(tags, c.Tag)
	}
	return tags
}

func summaryOf(e kvstore.Entry) Summary {
	s := Summary{ID: e.Key[strings.LastIndexByte(e.Key, '/')+1:]}
	if t, ok := e.Meta["title"].(string); ok {
		s.Title = t
	}
	if t, ok := e.Meta["tags"].(string); ok && t != "" {
		s.Tags = strings.Split(t, ",")
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func marshal(m Memory) ([]byte, error) { return json.Marshal(m) }
