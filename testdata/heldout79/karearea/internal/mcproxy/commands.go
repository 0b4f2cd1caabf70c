package mcproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/karearea/karearea/internal/memcache"
)

const (
	respStored    = "STORED\r\n"
	respNotStored = "NOT_STORED\r\n"
	respExists    = "EXISTS\r\n"
	respNotFound  = "NOT_FOUND\r\n"
	respDeleted   = "DELETED\r\n"
	respTouched   = "TOUCHED\r\n"
	respOK        = "OK\r\n"
	respEnd       = "END\r\n"
	respError     = "ERROR\r\n"
)

// dispatch runs one command line. It reports whether the client asked to quit.
func (s *Server) dispatch(ctx context.Context, line string, r *bufio.Reader, w *bufio.Writer) bool {
	fields := strings.Fields(line)
	cmd, args := strings.ToLower(fields[0]), fields[1:]
	switch cmd {
	case "get", "gets":
		s.cmdGet(w, args, cmd == "gets")
	case "gat", "gats":
		s.cmdGat(w, args, cmd == "gats")
	case "set", "add", "replace", "append", "prepend", "cas":
		s.cmdStore(w, r, cmd, args)
	case "incr", "decr":
		s.cmdIncrDecr(w, cmd == "incr", args)
	case "touch":
		s.cmdTouch(w, args)
	case "delete":
		s.cmdDelete(w, args)
	case "flush_all":
		s.cmdFlushAll(w, args)
	case "stats":
		s.cmdStats(ctx, w, args)
	case "version":
		w.WriteString("VERSION " + Version + "\r\n")
	case "verbosity":
		if !noreply(args, 1) {
			w.WriteString(respOK)
		}
	case "quit":
		return true
	default:
		w.WriteString(respError)
	}
	return false
}

func noreply(args []string, pos int) bool {
	return len(args) > pos && args[pos] == "noreply"
}

func clientError(w *bufio.Writer, msg string) {
	w.WriteString("CLIENT_ERROR " + msg + "\r\n")
}

func serverError(w *bufio.Writer, err error) {
	w.WriteString("SERVER_ERROR " + strings.ReplaceAll(err.Error(), "\r\n", " ") + "\r\n")
}

// parseExptime reads a memcached exptime. Values beyond int32 are clamped,
// which keeps absolute times in the year 2038 range the C server has.
func parseExptime(s string) (int32, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	return int32(max(min(v, math.MaxInt32), -1)), nil
}

func writeValue(w *bufio.Writer, it *memcache.Item, withCas bool) {
	if withCas {
		fmt.Fprintf(w, "VALUE %s %d %d %d\r\n", it.Key, it.Flags, len(it.Value), it.CasID)
	} else {
		fmt.Fprintf(w, "VALUE %s %d %d\r\n", it.Key, it.Flags, len(it.Value))
	}
	w.Write(it.Value)
	w.WriteString("\r\n")
}

func (s *Server) cmdGet(w *bufio.Writer, keys []string, withCas bool) {
	if len(keys) == 0 {
		w.WriteString(respError)
		return
	}
	items, err := s.MC.GetMulti(keys)
	if errors.Is(err, memcache.ErrMalformedKey) {
		clientError(w, "bad command line format")
		return
	}
	if err != nil {
		serverError(w, err)
		return
	}
	s.stats.cmdGet.Add(uint64(len(keys)))
	for _, k := range keys {
		it, ok := items[k]
		if !ok {
			s.stats.getMisses.Add(1)
			continue
		}
		s.stats.getHits.Add(1)
		writeValue(w, it, withCas)
	}
	w.WriteString(respEnd)
}

// cmdGat is get-and-touch: gat <exptime> <key>*.
func (s *Server) cmdGat(w *bufio.Writer, args []string, withCas bool) {
	if len(args) < 2 {
		w.WriteString(respError)
		return
	}
	exptime, err := parseExptime(args[0])
	if err != nil {
		clientError(w, "invalid exptime argument")
		return
	}
	s.stats.cmdTouch.Add(uint64(len(args) - 1))
	for _, k := range args[1:] {
		if err := s.MC.Touch(k, exptime); err != nil {
			s.stats.getMisses.Add(1)
			continue
		}
		if it, err := s.MC.Get(k); err == nil {
			s.stats.getHits.Add(1)
			writeValue(w, it, withCas)
		}
	}
	w.WriteString(respEnd)
}

// cmdStore handles set, add, replace, append, prepend and cas:
//
//	<cmd> <key> <flags> <exptime> <bytes> [noreply]
//	cas <key> <flags> <exptime> <bytes> <cas unique> [noreply]
func (s *Server) cmdStore(w *bufio.Writer, r *bufio.Reader, cmd string, args []string) {
	want := 4
	if cmd == "cas" {
		want = 5
	}
	if len(args) < want {
		w.WriteString(respError)
		return
	}
	flags, ferr := strconv.ParseUint(args[1], 10, 32)
	exptime, eerr := parseExptime(args[2])
	size, serr := strconv.Atoi(args[3])
	if ferr != nil || eerr != nil || serr != nil || size < 0 {
		clientError(w, "bad command line format")
		return
	}
	var casID uint64
	if cmd == "cas" {
		v, err := strconv.ParseUint(args[4], 10, 64)
		if err != nil {
			clientError(w, "bad command line format")
			return
		}
		casID = v
	}
	quiet := noreply(args, want)

	if size > maxValueBytes {
		// Swallow the data block so the stream stays in sync.
		io.CopyN(io.Discard, r, int64(size)+2)
		serverError(w, errors.New("object too large for cache"))
		return
	}
	data := make([]byte, size+2)
	if _, err := io.ReadFull(r, data); err != nil {
		return
	}
	if data[size] != '\r' || data[size+1] != '\n' {
		clientError(w, "bad data chunk")
		return
	}
	item := &memcache.Item{Key: args[0], Value: data[:size], Flags: uint32(flags), Expiration: exptime, CasID: casID}
	s.stats.cmdSet.Add(1)

	var err error
	switch cmd {
	case "set":
		err = s.MC.Set(item)
	case "add":
		err = s.MC.Add(item)
	case "replace":
		err = s.MC.Replace(item)
	case "append":
		err = s.MC.Append(item.Key, item.Value)
	case "prepend":
		err = s.MC.Prepend(item.Key, item.Value)
	case "cas":
		err = s.MC.CompareAndSwap(item)
	}
	if quiet {
		return
	}
	switch {
	case err == nil:
		w.WriteString(respStored)
	case errors.Is(err, memcache.ErrNotStored):
		if cmd == "cas" {
			w.WriteString(respNotFound)
		} else {
			w.WriteString(respNotStored)
		}
	case errors.Is(err, memcache.ErrCASConflict):
		w.WriteString(respExists)
	case errors.Is(err, memcache.ErrMalformedKey):
		clientError(w, "bad command line format")
	default:
		serverError(w, err)
	}
}

func (s *Server) cmdIncrDecr(w *bufio.Writer, up bool, args []string) {
	if len(args) < 2 {
		w.WriteString(respError)
		return
	}
	delta, err := strconv.ParseUint(args[1], 10, 64)
	if err != nil {
		clientError(w, "invalid numeric delta argument")
		return
	}
	var n uint64
	if up {
		n, err = s.MC.Increment(args[0], delta)
	} else {
		n, err = s.MC.Decrement(args[0], delta)
	}
	if noreply(args, 2) {
		return
	}
	switch {
	case err == nil:
		w.WriteString(strconv.FormatUint(n, 10) + "\r\n")
	case errors.Is(err, memcache.ErrCacheMiss):
		w.WriteString(respNotFound)
	case errors.Is(err, memcache.ErrNonNumeric):
		clientError(w, "cannot increment or decrement non-numeric value")
	default:
		serverError(w, err)
	}
}

func (s *Server) cmdTouch(w *bufio.Writer, args []string) {
	if len(args) < 2 {
		w.WriteString(respError)
		return
	}
	exptime, err := parseExptime(args[1])
	if err != nil {
		clientError(w, "invalid exptime argument")
		return
	}
	s.stats.cmdTouch.Add(1)
	err = s.MC.Touch(args[0], exptime)
	if noreply(args, 2) {
		return
	}
	switch {
	case err == nil:
		w.WriteString(respTouched)
	case errors.Is(err, memcache.ErrCacheMiss):
		w.WriteString(respNotFound)
	default:
		serverError(w, err)
	}
}

func (s *Server) cmdDelete(w *bufio.Writer, args []string) {
	if len(args) < 1 {
		w.WriteString(respError)
		return
	}
	// "delete <key> 0" is still sent by old PHP clients.
	quiet := noreply(args, 1) || noreply(args, 2)
	err := s.MC.Delete(args[0])
	if quiet {
		return
	}
	if err != nil {
		serverError(w, err)
		return
	}
	w.WriteString(respDeleted)
}

func (s *Server) cmdFlushAll(w *bufio.Writer, args []string) {
	var delay time.Duration
	quiet := false
	for _, a := range args {
		if a == "noreply" {
			quiet = true
			continue
		}
		secs, err := strconv.Atoi(a)
		if err != nil || secs < 0 {
			clientError(w, "bad command line format")
			return
		}
		delay = time.Duration(secs) * time.Second
	}
	s.stats.cmdFlush.Add(1)
	err := s.MC.FlushAll(delay)
	if quiet {
		return
	}
	if err != nil {
		serverError(w, err)
		return
	}
	w.WriteString(respOK)
}
