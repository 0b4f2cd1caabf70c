//go:build js && wasm

// Package artifacts serves the SDK bundles and manifests that CI uploads
// for edge clients.
package artifacts

import (
	"io"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/keys"
)

// maxArtifact bounds an upload; larger bundles are rejected by CI first.
const maxArtifact = 64 << 20

// Store keeps artifacts in the main namespace.
type Store struct{ ns *kv.Namespace }

// New returns a Store.
func New(ns *kv.Namespace) *Store { return &Store{ns: ns} }

func (s *Store) get(key string) string {
	v, _ := s.ns.GetString(key, nil)
	return v
}

func latestKey(project string) string { return keys.Join("artifact", project, "latest") }

// Upload handles PUT /v1/artifacts/{project}/{version}.
func (s *Store) Upload(w http.ResponseWriter, r *http.Request) {
	project, version := r.PathValue("project"), r.PathValue("version")
	key := keys.Join("artifact", project, version)
	if err := s.ns.PutReader(key, io.LimitReader(r.Body, maxArtifact), nil); err != nil { // EXPECT kvlimits
		httpx.WriteError(w, httpx.Errorf(http.StatusBadGateway, "upload_failed", "%v", err))
		return
	}
	if err := s.ns.PutString(latestKey(project), version, nil); err != nil {
		httpx.WriteError(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"key": key, "uploaded": time.Now().UTC()})
}

// Latest handles GET /v1/artifacts/{project}/latest.
func (s *Store) Latest(w http.ResponseWriter, r *http.Request) {
	version := s.get(latestKey(r.PathValue("project")))
	if version == "" { // EXPECT kvnull
		httpx.WriteError(w, httpx.Errorf(http.StatusNotFound, "no_artifact", "nothing uploaded for this project"))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"version": version})
}
