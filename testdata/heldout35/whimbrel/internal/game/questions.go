//go:build js && wasm

package game

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"whimbrel/internal/keys"
)

// loadQuestion fetches a question from the origin question service.
func (s *Server) loadQuestion(id int) (Question, error) {
	var q Question
	resp, err := http.Get(originURL + "/questions/" + strconv.Itoa(id))
	if err != nil {
		return q, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return q, fmt.Errorf("question %d: %s", id, resp.Status)
	}
	err = json.NewDecoder(resp.Body).Decode(&q)
	return q, err
}

// handleQuestion serves one question through the question cache.
func (s *Server) handleQuestion() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil {
			writeErr(w, http.StatusBadRequest, "invalid id")
			return
		}
		q, err := s.questions.GetOrLoad(id, s.loadQuestion)
		if err != nil {
			writeErr(w, http.StatusNotFound, "no such question")
			return
		}
		writeJSON(w, http.StatusOK, q)
	}
}

// handleBank returns the questions of a bank, filtered by an optional tag.
func (s *Server) handleBank() http.HandlerFunc {
	maxPages := s.cfg.MaxPages
	return func(w http.ResponseWriter, r *http.Request) {
		bank := r.PathValue("bank")
		tag := r.URL.Query().Get("tag")
		prefix := path.Join("bank", bank, "q") + "/"
		var out []Question
		complete, err := s.game.Scan(prefix, maxPages, func(k *kv.ListKey) error {
			v, ok, err := s.game.Get(k.Name) // EXPECT kvlist
			if err != nil || !ok {
				return err
			}
			var q Question
			if json.Unmarshal([]byte(v), &q) != nil {
				return nil
			}
			if tag == "" || containsTag(q.Tags, tag) {
				out = append(out, q)
			}
			return nil
		})
		if err != nil {
			writeErr(w, http.StatusBadGateway, "bank unavailable")
			return
		}
		if v, err := s.bankVersion(bank); err == nil {
			w.Header().Set("ETag", fmt.Sprintf(`"%s-%d"`, bank, v))
		}
		writeJSON(w, http.StatusOK, map[string]any{"questions": out, "complete": complete})
	}
}

// bankVersion returns the published version of a bank.
func (s *Server) bankVersion(bank string) (int, error) {
	v, err := s.raw().GetString("bankversion/"+bank, &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

func containsTag(tags []string, tag string) bool {
	for _, t := range tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// bankIDs collects the question IDs of a bank for match generation.
func (s *Server) bankIDs(bank string) ([]int, error) {
	ns := s.raw()
	prefix := fmt.Sprintf("bank/%s/q/", bank)
	var ids []int
	opts := &kv.ListOptions{Prefix: prefix, Limit: s.cfg.ListPageSize}
	for page := 0; page < s.cfg.MaxPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			if id, err := strconv.Atoi(strings.TrimPrefix(k.Name, prefix)); err == nil {
				ids = append(ids, id)
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: s.cfg.ListPageSize}
	}
	return ids, nil
}

// tagIndex returns the question IDs indexed under tag.
func (s *Server) tagIndex(bank, tag string) ([]int, error) {
	ns := s.raw()
	prefix := keys.BankIndexKey(bank, tag) + "/"
	var ids []int
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if id, err := strconv.Atoi(path.Base(k.Name)); err == nil {
				ids = append(ids, id)
			}
		}
		cursor = res.Cursor
	}
	return ids, nil
}

// pickQuestions builds the question list of a new match.
func (s *Server) pickQuestions(bank, tag string, n int) ([]int, error) {
	var ids []int
	var err error
	if tag != "" {
		ids, err = s.tagIndex(bank, tag)
	} else {
		ids, err = s.bankIDs(bank)
	}
	if err != nil {
		return nil, err
	}
	if len(ids) > n {
		seed := time.Now().UnixNano()
		for i := len(ids) - 1; i > 0; i-- {
			j := int(seed % int64(i+1))
			ids[i], ids[j] = ids[j], ids[i]
			seed = seed*6364136223846793005 + 1442695040888963407
			if seed < 0 {
				seed = -seed
			}
		}
		ids = ids[:n]
	}
	return ids, nil
}
