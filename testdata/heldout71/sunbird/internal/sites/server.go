// Package sites serves the live and preview versions of hosted sites from
// the origin (the edge Worker forwards here on a miss).
package sites

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"sunbird/internal/kvstore"
	"sunbird/internal/quota"
	"sunbird/internal/sitefs"
	"sunbird/internal/visitors"
)

// Status is the per-site summary shown on the dashboard.
type Status struct {
	LiveDeploy string    `json:"live_deploy"`
	LastVisit  time.Time `json:"last_visit"`
	Protected  bool      `json:"protected"`
}

// Server serves site files.
type Server struct {
	KV     *kvstore.Namespace
	Quotas *quota.Quotas
	Auth   *visitors.Auth
	Domain string
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (s *Server) siteOf(r *http.Request) string {
	host, _, _ := strings.Cut(r.Host, ":")
	return strings.TrimSuffix(host, "."+s.Domain)
}

// ServeHTTP serves the live deploy of the site named by the Host header.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	site := s.siteOf(r)
	ctx := r.Context()
	live, err := s.KV.Get(ctx, "live/"+site)
	if errors.Is(err, kvstore.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if over, err := s.Quotas.Over(ctx, site); err == nil && over {
		http.Error(w, "this site has used its bandwidth for the month", http.StatusPaymentRequired)
		return
	}
	st, err := s.status(ctx, site)
	if err != nil {
		log.Printf("sites: status %s: %v", site, err)
	}
	if st.Protected {
		if sess, _, err := s.Auth.Current(r); err != nil || sess == nil || sess.Site != site {
			http.Redirect(w, r, "/_auth/login?next="+r.URL.Path, http.StatusSeeOther)
			return
		}
	}
	sfs := &sitefs.FS{KV: s.KV, Site: site, Deploy: string(live), Ctx: ctx}
	cw := &countingWriter{ResponseWriter: w}
	http.FileServerFS(sfs).ServeHTTP(cw, r)

	go func(n int64, lastVisit time.Time) {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		s.Quotas.Note(site, n)
		if time.Since(lastVisit) > 10*time.Minute {
			if err := s.touch(bg, site); err != nil {
				log.Printf("sites: touch %s: %v", site, err)
			}
		}
	}(cw.n, st.LastVisit)
}

func (s *Server) status(ctx context.Context, site string) (Status, error) {
	var st Status
	raw, err := s.KV.Get(ctx, "sites/"+site+"/status")
	if errors.Is(err, kvstore.ErrNotFound) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(raw, &st)
}

// touch records the time of the latest visit on the site's status record.
func (s *Server) touch(ctx context.Context, site string) error {
	st, err := s.status(ctx, site)
	if err != nil {
		return err
	}
	st.LastVisit = time.Now().UTC()
	raw, _ := json.Marshal(st)
	return s.KV.Put(ctx, "sites/"+site+"/status", raw, 0) // EXPECT kvrace
}

// SetProtected turns visitor sign-in on or off for a site. The status
// record is rebuilt from the deploy pointer rather than read back.
func (s *Server) SetProtected(ctx context.Context, site string, on bool) error {
	live, err := s.KV.Get(ctx, "live/"+site)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	raw, _ := json.Marshal(Status{LiveDeploy: string(live), Protected: on})
	return s.KV.Put(ctx, "sites/"+site+"/status", raw, 0)
}

// ExportStatus writes a site's status as JSON to w.
func (s *Server) ExportStatus(ctx context.Context, site string, w io.Writer) error {
	st, err := s.status(ctx, site)
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(st)
}
