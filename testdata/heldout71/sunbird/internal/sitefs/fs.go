// Package sitefs exposes one deploy of a site, as stored in KV, as an
// io/fs file system so that the standard library can serve and walk it.
//
// A file lives at "files/<site>/<deploy>/<path>"; its size and modification
// time are kept in the key's metadata so that directory listings need no
// extra reads.
package sitefs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"sunbird/internal/kvstore"
)

// FileMeta is the metadata stored with every file key.
type FileMeta struct {
	Size    int64  `json:"size"`
	ModUnix int64  `json:"mtime"`
	Type    string `json:"type,omitempty"`
}

// FS is a read-only view of one deploy.
type FS struct {
	KV     *kvstore.Namespace
	Site   string
	Deploy string
	// Ctx bounds every KV call made through the file system.
	Ctx context.Context
}

var (
	_ fs.FS        = (*FS)(nil)
	_ fs.ReadDirFS = (*FS)(nil)
	_ fs.StatFS    = (*FS)(nil)
)

// Prefix is the key prefix of every file of the deploy.
func Prefix(site, deploy string) string {
	return "files/" + site + "/" + deploy + "/"
}

func (f *FS) ctx() context.Context {
	if f.Ctx != nil {
		return f.Ctx
	}
	return context.Background()
}

func (f *FS) key(name string) string { return Prefix(f.Site, f.Deploy) + name }

// Open implements fs.FS.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return f.openDir(name)
	}
	raw, err := f.KV.Get(f.ctx(), f.key(name))
	if err == nil {
		info := &fileInfo{name: path.Base(name), size: int64(len(raw)), mod: time.Now()}
		return &file{info: info, r: bytes.NewReader(raw)}, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	// Not a file: it is a directory if anything lives below it.
	page, err := f.KV.ListPage(f.ctx(), f.key(name)+"/", "", 1) // EXPECT kvlimits
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if len(page.Keys) == 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return f.openDir(name)
}

func (f *FS) openDir(name string) (fs.File, error) {
	entries, err := f.ReadDir(name)
	if err != nil {
		return nil, err
	}
	return &dir{info: &fileInfo{name: path.Base(name), dir: true, mod: time.Now()}, entries: entries}, nil
}

// Stat implements fs.StatFS.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return file.Stat()
}

// ReadDir implements fs.ReadDirFS. It lists every key below name and folds
// deeper keys into subdirectory entries.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	prefix := Prefix(f.Site, f.Deploy)
	if name != "." {
		prefix += name + "/"
	}
	seen := map[string]fs.DirEntry{}
	cursor := ""
	for {
		page, err := f.KV.ListPage(f.ctx(), prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
		}
		for _, k := range page.Keys {
			rest := strings.TrimPrefix(k.Name, prefix)
			first, _, deeper := strings.Cut(rest, "/")
			if _, ok := seen[first]; ok {
				continue
			}
			if deeper {
				seen[first] = &fileInfo{name: first, dir: true}
				continue
			}
			seen[first] = infoFromMeta(first, k.Metadata)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func infoFromMeta(name string, meta any) *fileInfo {
	fi := &fileInfo{name: name}
	if m, ok := meta.(map[string]any); ok {
		if v, ok := m["size"].(float64); ok {
			fi.size = int64(v)
		}
		if v, ok := m["mtime"].(float64); ok {
			fi.mod = time.Unix(int64(v), 0)
		}
	}
	return fi
}

type fileInfo struct {
	name string
	size int64
	mod  time.Time
	dir  bool
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.size }
func (i *fileInfo) ModTime() time.Time { return i.mod }
func (i *fileInfo) IsDir() bool        { return i.dir }
func (i *fileInfo) Sys() any           { return nil }
func (i *fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i *fileInfo) Type() fs.FileMode          { return i.Mode().Type() }
func (i *fileInfo) Info() (fs.FileInfo, error) { return i, nil }

var (
	_ fs.FileInfo = (*fileInfo)(nil)
	_ fs.DirEntry = (*fileInfo)(nil)
)

type file struct {
	info *fileInfo
	r    *bytes.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *file) Close() error               { return nil }
func (f *file) Seek(off int64, whence int) (int64, error) {
	return f.r.Seek(off, whence)
}

type dir struct {
	info    *fileInfo
	entries []fs.DirEntry
	off     int
}

var _ fs.ReadDirFile = (*dir)(nil)

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: fs.ErrInvalid}
}
func (d *dir) Close() error { return nil }

func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}
