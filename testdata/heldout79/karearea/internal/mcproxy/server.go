// Package mcproxy speaks memcached's text protocol to the legacy PHP and Go
// applications and serves their commands from Workers KV through the
// memcache client.
package mcproxy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/karearea/karearea/internal/kvstore"
	"github.com/karearea/karearea/internal/memcache"
)

// Version is reported by the "version" command.
const Version = "1.6.21-karearea"

// maxValueBytes mirrors memcached's default -I 1m item size.
const maxValueBytes = 1 << 20

// Server is one proxy instance.
type Server struct {
	ID      string
	MC      *memcache.Client
	KV      *kvstore.Store
	Logger  *log.Logger
	Started time.Time

	stats counters

	mu      sync.Mutex
	clients map[string]time.Time
	conns   map[net.Conn]struct{}
	closing atomic.Bool
}

// NewServer returns a proxy identified by id.
func NewServer(id string, mc *memcache.Client, store *kvstore.Store, logger *log.Logger) *Server {
	return &Server{
		ID:      id,
		MC:      mc,
		KV:      store,
		Logger:  logger,
		Started: time.Now(),
		clients: make(map[string]time.Time),
		conns:   make(map[net.Conn]struct{}),
	}
}

// Serve accepts connections on ln until ctx is cancelled.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	go func() {
		<-ctx.Done()
		s.closing.Store(true)
		ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.SetReadDeadline(time.Now())
		}
		s.mu.Unlock()
	}()
	var tempDelay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				tempDelay = min(max(2*tempDelay, 5*time.Millisecond), time.Second)
				time.Sleep(tempDelay)
				continue
			}
			return err
		}
		tempDelay = 0
		s.track(conn, true)
		go s.handleConn(ctx, conn)

		// Record which application hosts are connected to this proxy, for
		// the operations dashboard.
		body, _ := json.Marshal(map[string]any{"proxy": s.ID, "hosts": s.clientHosts(), "at": time.Now().Unix()})
		err = s.KV.Put(ctx, "proxy:"+s.ID+":clients", body, kvstore.PutOptions{ // EXPECT kvhotkey
			TTL: 30 * time.Second, // EXPECT kvttl
		})
		if err != nil {
			s.Logger.Printf("publish clients: %v", err)
		}
	}
}

func (s *Server) track(conn net.Conn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	host, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
	if add {
		s.conns[conn] = struct{}{}
		s.clients[host] = time.Now()
		s.stats.currConnections.Add(1)
		s.stats.totalConnections.Add(1)
		return
	}
	delete(s.conns, conn)
	s.stats.currConnections.Add(-1)
}

func (s *Server) clientHosts() []string {
	s.mu.Lock()
	hosts := make([]string, 0, len(s.clients))
	for h := range s.clients {
		hosts = append(hosts, h)
	}
	s.mu.Unlock()
	sort.Strings(hosts)
	return hosts
}

func (s *Server) handleConn(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	defer s.track(conn, false)

	host, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
	var served int64
	defer func() { s.recordUsage(context.WithoutCancel(ctx), host, served) }()

	r := bufio.NewReaderSize(conn, 16<<10)
	w := bufio.NewWriterSize(conn, 16<<10)
	for {
		conn.SetReadDeadline(time.Now().Add(10 * time.Minute))
		line, err := r.ReadString('\n')
		if err != nil {
			if !errors.Is(err, io.EOF) && !s.closing.Load() {
				s.Logger.Printf("conn %s: %v", host, err)
			}
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue
		}
		served++
		quit := s.dispatch(ctx, line, r, w)
		if err := w.Flush(); err != nil || quit {
			return
		}
	}
}
