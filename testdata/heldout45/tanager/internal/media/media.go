//go:build js && wasm

// Package media stores the per-episode side files podcast apps ask for:
// Podcasting 2.0 chapters (JSON) and transcripts (WebVTT / SRT / text).
package media

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/syumai/workers/cloudflare"

	"tanager/internal/config"
	"tanager/internal/httpx"
	"tanager/internal/keys"
	"tanager/internal/kv"
)

const maxTranscriptBytes = 32 << 20

type Chapter struct {
	StartTime float64 `json:"startTime"`
	Title     string  `json:"title"`
	Img       string  `json:"img,omitempty"`
	URL       string  `json:"url,omitempty"`
}

type chaptersDoc struct {
	Version  string    `json:"version"`
	Chapters []Chapter `json:"chapters"`
}

var transcriptTypes = map[string]string{
	"vtt": "text/vtt",
	"srt": "application/x-subrip",
	"txt": "text/plain",
}

type Handlers struct {
	Cfg config.Config
}

func (h Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /shows/{show}/episodes/{ep}/chapters.json", h.getChapters)
	mux.HandleFunc("POST /shows/{show}/episodes/{ep}/chapters", h.addChapter)
	mux.HandleFunc("GET /shows/{show}/episodes/{ep}/transcripts", h.listTranscripts)
	mux.HandleFunc("PUT /shows/{show}/episodes/{ep}/transcripts/{lang}", h.putTranscript)
	mux.HandleFunc("POST /shows/{show}/episodes/{ep}/transcripts/{lang}/segments", h.appendSegment)
}

func namespace(w http.ResponseWriter, op string) (*cloudflare.KVNamespace, bool) {
	ns, err := cloudflare.NewKVNamespace("MEDIA")
	if err != nil {
		httpx.Fail(w, op, err)
		return nil, false
	}
	return ns, true
}

func (h Handlers) getChapters(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, "chapters.get")
	if !ok {
		return
	}
	doc, err := ns.GetString(keys.Chapters(r.PathValue("show"), r.PathValue("ep")), &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil {
		httpx.Fail(w, "chapters.get", err)
		return
	}
	if kv.IsNull(doc) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json+chapters")
	io.WriteString(w, doc)
}

// addChapter inserts one chapter, used by the web editor's "mark" button.
func (h Handlers) addChapter(w http.ResponseWriter, r *http.Request) {
	var c Chapter
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil || c.Title == "" {
		httpx.Error(w, http.StatusBadRequest, "chapter with a title required")
		return
	}
	ns, ok := namespace(w, "chapters.add")
	if !ok {
		return
	}
	key := keys.Chapters(r.PathValue("show"), r.PathValue("ep"))
	doc := chaptersDoc{Version: "1.2.0"}
	raw, err := ns.GetString(key, nil)
	if err != nil {
		httpx.Fail(w, "chapters.add", err)
		return
	}
	if !kv.IsNull(raw) {
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			httpx.Fail(w, "chapters.add", err)
			return
		}
	}
	save := func(cs []Chapter) error {
		slices.SortFunc(cs, func(a, b Chapter) int {
			switch {
			case a.StartTime < b.StartTime:
				return -1
			case a.StartTime > b.StartTime:
				return 1
			}
			return 0
		})
		out, err := json.Marshal(chaptersDoc{Version: doc.Version, Chapters: cs})
		if err != nil {
			return err
		}
		return ns.PutString(key, string(out), nil) // EXPECT kvrace
	}
	if err := save(append(doc.Chapters, c)); err != nil {
		httpx.Fail(w, "chapters.add", err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// listTranscripts returns the languages an episode has a transcript in,
// with a short preview of each.
func (h Handlers) listTranscripts(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, "transcripts.list")
	if !ok {
		return
	}
	prefix := keys.TranscriptLangs(r.PathValue("show"), r.PathValue("ep"))
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 50})
	if err != nil {
		httpx.Fail(w, "transcripts.list", err)
		return
	}
	type entry struct {
		Lang    string `json:"lang"`
		Preview string `json:"preview"`
	}
	var out []entry
	for _, k := range res.Keys {
		body, err := ns.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || kv.IsNull(body) {
			continue
		}
		out = append(out, entry{Lang: strings.TrimPrefix(k.Name, prefix), Preview: body[:min(len(body), 160)]})
	}
	if !res.ListComplete {
		w.Header().Set("X-Next-Cursor", res.Cursor)
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (h Handlers) putTranscript(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, "transcripts.put")
	if !ok {
		return
	}
	lang := r.PathValue("lang")
	if _, known := transcriptTypes[r.URL.Query().Get("format")]; !known {
		httpx.Error(w, http.StatusBadRequest, "format must be vtt, srt or txt")
		return
	}
	key := keys.Transcript(r.PathValue("show"), r.PathValue("ep"), lang)
	if err := ns.PutReader(key, io.LimitReader(r.Body, maxTranscriptBytes), nil); err != nil { // DEBATABLE kvlimits
		httpx.Fail(w, "transcripts.put", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// appendSegment receives live-transcription cues while an episode is being
// recorded and adds them to the transcript.
func (h Handlers) appendSegment(w http.ResponseWriter, r *http.Request) {
	var cue struct {
		Start string `json:"start"`
		End   string `json:"end"`
		Text  string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&cue); err != nil || cue.Text == "" {
		httpx.Error(w, http.StatusBadRequest, "cue required")
		return
	}
	ns, ok := namespace(w, "transcripts.append")
	if !ok {
		return
	}
	key := keys.Transcript(r.PathValue("show"), r.PathValue("ep"), r.PathValue("lang"))
	vtt, err := ns.GetString(key, nil)
	if err != nil {
		httpx.Fail(w, "transcripts.append", err)
		return
	}
	if kv.IsNull(vtt) {
		vtt = "WEBVTT\n"
	}
	vtt += fmt.Sprintf("\n%s --> %s\n%s\n", cue.Start, cue.End, cue.Text)
	if err := ns.PutString(key, vtt, nil); err != nil { // EXPECT kvrace
		httpx.Fail(w, "transcripts.append", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
