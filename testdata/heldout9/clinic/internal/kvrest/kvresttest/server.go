// Package kvresttest is an in-memory stand-in for the KV REST endpoints,
// for tests of code that uses kvrest.
package kvresttest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
)

type Server struct {
	*httptest.Server
	mu   sync.Mutex
	data map[string]string
	TTLs map[string]int
}

func New() *Server {
	s := &Server{data: map[string]string{}, TTLs: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *Server) Value(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[key]
	return v, ok
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := r.URL.EscapedPath()
	switch {
	case strings.Contains(path, "/values/"):
		key := path[strings.Index(path, "/values/")+len("/values/"):]
		key = unescape(key)
		switch r.Method {
		case http.MethodGet:
			v, ok := s.data[key]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, `{"success":false,"errors":[{"code":10009,"message":"get: 'key not found'"}]}`)
				return
			}
			io.WriteString(w, v)
		case http.MethodPut:
			b, _ := io.ReadAll(r.Body)
			s.data[key] = string(b)
			if ttl, err := strconv.Atoi(r.URL.Query().Get("expiration_ttl")); err == nil {
				s.TTLs[key] = ttl
			}
			io.WriteString(w, `{"success":true}`)
		case http.MethodDelete:
			delete(s.data, key)
			io.WriteString(w, `{"success":true}`)
		}
	case strings.HasSuffix(path, "/keys"):
		prefix := r.URL.Query().Get("prefix")
		var names []string
		for k := range s.data {
			if strings.HasPrefix(k, prefix) {
				names = append(names, k)
			}
		}
		sort.Strings(names)
		type key struct {
			Name string `json:"name"`
		}
		out := struct {
			Success    bool  `json:"success"`
			Result     []key `json:"result"`
			ResultInfo struct {
				Cursor string `json:"cursor"`
			} `json:"result_info"`
		}{Success: true, Result: []key{}}
		for _, n := range names {
			out.Result = append(out.Result, key{Name: n})
		}
		json.NewEncoder(w).Encode(out)
	case strings.HasSuffix(path, "/bulk") && r.Method == http.MethodPut:
		var pairs []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		}
		if err := json.NewDecoder(r.Body).Decode(&pairs); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, p := range pairs {
			s.data[p.Key] = p.Value
		}
		io.WriteString(w, `{"success":true}`)
	default:
		http.NotFound(w, r)
	}
}

func unescape(s string) string {
	r := strings.NewReplacer("%3A", ":", "%3a", ":", "%2F", "/", "%2f", "/")
	return r.Replace(s)
}
