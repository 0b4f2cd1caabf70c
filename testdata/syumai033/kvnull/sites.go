package kvnull

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type siteServer struct{ ns *kv.Namespace }

// The bucket that serves a custom domain.
func (s *siteServer) bucketFor(host string) (string, bool) {
	bucket, err := s.ns.GetString("dom/"+host, nil)
	if err != nil || bucket == "" { // want `this miss check is never true`
		return "", false
	}
	return bucket, true
}

// Quiet here: the bucket names the prefix of the listing below, not the
// cursor it resumes from. (Its miss check is bucketFor's finding.)
func (s *siteServer) serveIndex(w http.ResponseWriter, r *http.Request) {
	bucket, ok := s.bucketFor(r.Host)
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.findIndex(w, bucket, strings.TrimPrefix(r.URL.Path, "/"))
}

func (s *siteServer) findIndex(w http.ResponseWriter, bucket, dir string) bool {
	prefix := "o/" + bucket + "/" + dir
	cursor := ""
	for range 3 {
		res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return false
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, "/index.html") {
				http.Redirect(w, nil, "/"+strings.TrimPrefix(k.Name, prefix), http.StatusFound)
				return true
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return false
}

// A month's egress, charged where its text parses: for a new month the
// get hands back "<null>", and the count never starts. (The download
// handler below calls it: that is no other write of the key.)
func (s *siteServer) chargeEgress(bucket string, size int64) {
	key := "quota/egress/" + bucket + "/" + time.Now().UTC().Format("2006-01")
	v, _ := s.ns.GetString(key, nil) // want `which this value's parse rejects, and the way its parse error takes skips the write of the same key at line 66`
	used, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return
	}
	_ = s.ns.PutString(key, strconv.FormatInt(used+size, 10), nil)
}

func (s *siteServer) serveDownload(w http.ResponseWriter, r *http.Request) {
	bucket := r.PathValue("bucket")
	s.chargeEgress(bucket, r.ContentLength)
	w.WriteHeader(http.StatusNoContent)
}
