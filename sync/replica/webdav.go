package replica

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// maxGet bounds a downloaded file; segments are far smaller.
const maxGet = 512 << 20

// WebDAVTarget is a Target in a WebDAV collection (Nextcloud, ownCloud or
// any WebDAV server). For Nextcloud the base URL looks like
// https://cloud.example.ch/remote.php/dav/files/<user>/Kundenkartei/ and
// the password should be an app password.
type WebDAVTarget struct {
	base     *url.URL
	baseErr  error
	user     string
	password string
	client   *http.Client

	mu   sync.Mutex
	dirs map[string]bool // collections known to exist
}

// NewWebDAVTarget returns a target at baseURL (a collection; a missing
// trailing slash is added). client may be nil for one with a one-minute
// timeout per request.
func NewWebDAVTarget(baseURL, user, password string, client *http.Client) *WebDAVTarget {
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	w := &WebDAVTarget{user: user, password: password, client: client, dirs: map[string]bool{}}
	u, err := url.Parse(baseURL)
	switch {
	case err != nil:
		w.baseErr = model.WrapError(model.EINVALID, err, "bad WebDAV address %q", baseURL)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		w.baseErr = model.Errorf(model.EINVALID, "bad WebDAV address %q: it must start with https://", baseURL)
	default:
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		u.RawPath = ""
		w.base = u
	}
	return w
}

// url returns the address of name; dirs get a trailing slash.
func (w *WebDAVTarget) url(name string, dir bool) (string, error) {
	if w.baseErr != nil {
		return "", w.baseErr
	}
	u := *w.base
	if name != "" {
		if err := checkName(name); err != nil {
			return "", err
		}
		u.Path += name
	}
	if dir && !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}

func (w *WebDAVTarget) do(ctx context.Context, method, u string, body io.Reader, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, model.WrapError(model.EINVALID, err, "bad WebDAV request")
	}
	if w.user != "" || w.password != "" {
		req.SetBasicAuth(w.user, w.password)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, model.WrapError(model.EINTERNAL, err, "WebDAV server not reachable")
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		resp.Body.Close()
		return nil, model.Errorf(model.EINVALID, "the WebDAV server refused the user name or password (%s)", resp.Status)
	}
	return resp, nil
}

func statusErr(what string, resp *http.Response) error {
	return model.Errorf(model.EINTERNAL, "WebDAV %s: %s", what, resp.Status)
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// Get implements Target.
func (w *WebDAVTarget) Get(ctx context.Context, name string) ([]byte, error) {
	u, err := w.url(name, false)
	if err != nil {
		return nil, err
	}
	resp, err := w.do(ctx, http.MethodGet, u, nil, nil)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		return nil, model.Errorf(model.ENOTFOUND, "%s not found", name)
	default:
		return nil, statusErr("get "+name, resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxGet+1))
	if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "WebDAV get %s", name)
	}
	if len(data) > maxGet {
		return nil, model.Errorf(model.EINVALID, "%s is too large", name)
	}
	return data, nil
}

// Put implements Target: it uploads to a hidden temporary name and MOVEs
// it into place, so an upload cut off by a lost connection never appears
// under the final name. (Segment content is authenticated anyway, so a
// server that exposes partial files cannot make a reader accept one.)
func (w *WebDAVTarget) Put(ctx context.Context, name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	dir, file := path.Split(name)
	if err := w.mkdirs(ctx, strings.TrimSuffix(dir, "/")); err != nil {
		return err
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return model.WrapError(model.EINTERNAL, err, "random name")
	}
	tmpName := dir + tmpPrefix + file + "-" + hex.EncodeToString(rnd[:])
	tmp, err := w.url(tmpName, false)
	if err != nil {
		return err
	}
	dst, err := w.url(name, false)
	if err != nil {
		return err
	}
	resp, err := w.do(ctx, http.MethodPut, tmp, bytes.NewReader(data),
		map[string]string{"Content-Type": "application/octet-stream"})
	if err != nil {
		return err
	}
	drain(resp)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return statusErr("put "+name, resp)
	}
	resp, err = w.do(ctx, "MOVE", tmp, nil, map[string]string{"Destination": dst, "Overwrite": "T"})
	if err != nil {
		return err
	}
	drain(resp)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		if del, err := w.do(ctx, http.MethodDelete, tmp, nil, nil); err == nil {
			drain(del)
		}
		return statusErr("move "+name, resp)
	}
	return nil
}

// Delete implements Target.
func (w *WebDAVTarget) Delete(ctx context.Context, name string) error {
	u, err := w.url(name, false)
	if err != nil {
		return err
	}
	resp, err := w.do(ctx, http.MethodDelete, u, nil, nil)
	if err != nil {
		return err
	}
	drain(resp)
	switch resp.StatusCode {
	case http.StatusOK, http.StatusNoContent, http.StatusAccepted, http.StatusNotFound, http.StatusGone:
		return nil
	}
	return statusErr("delete "+name, resp)
}

// mkdirs creates dir and its parents (and the base collection), once per
// target value.
func (w *WebDAVTarget) mkdirs(ctx context.Context, dir string) error {
	parts := []string{""}
	if dir != "" {
		elems := strings.Split(dir, "/")
		for i := range elems {
			parts = append(parts, strings.Join(elems[:i+1], "/"))
		}
	}
	for _, p := range parts {
		w.mu.Lock()
		known := w.dirs[p]
		w.mu.Unlock()
		if known {
			continue
		}
		u, err := w.url(p, true)
		if err != nil {
			return err
		}
		resp, err := w.do(ctx, "MKCOL", u, nil, nil)
		if err != nil {
			return err
		}
		drain(resp)
		// 405 Method Not Allowed is the standard answer for an existing one.
		switch resp.StatusCode {
		case http.StatusCreated, http.StatusMethodNotAllowed, http.StatusOK, http.StatusNoContent:
		case http.StatusConflict:
			return model.Errorf(model.ENOTFOUND, "WebDAV folder %s does not exist", w.base.Redacted())
		default:
			return statusErr("create folder "+p, resp)
		}
		w.mu.Lock()
		w.dirs[p] = true
		w.mu.Unlock()
	}
	return nil
}

// multistatus is the part of a PROPFIND answer List and RemoveStale need.
type multistatus struct {
	Responses []struct {
		Href     string `xml:"href"`
		Modified string `xml:"propstat>prop>getlastmodified"` // RFC 1123
	} `xml:"response"`
}

const propfindBody = `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getlastmodified/></d:prop></d:propfind>`

// List implements Target with a PROPFIND of depth 1.
func (w *WebDAVTarget) List(ctx context.Context, dir string) ([]string, error) {
	entries, _, err := w.propfind(ctx, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.name, ".") {
			names = append(names, e.name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// davEntry is one entry of a collection.
type davEntry struct {
	name     string
	modified time.Time // zero when the server did not say
}

// propfind lists dir's entries and returns the server's time of the answer
// (its Date header; this computer's clock when it sent none).
func (w *WebDAVTarget) propfind(ctx context.Context, dir string) ([]davEntry, time.Time, error) {
	u, err := w.url(dir, true)
	if err != nil {
		return nil, time.Time{}, err
	}
	resp, err := w.do(ctx, "PROPFIND", u, strings.NewReader(propfindBody),
		map[string]string{"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
	if err != nil {
		return nil, time.Time{}, err
	}
	defer drain(resp)
	now, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		now = time.Now()
	}
	switch resp.StatusCode {
	case http.StatusMultiStatus:
	case http.StatusNotFound:
		return nil, now, nil
	default:
		return nil, now, statusErr("list "+dir, resp)
	}
	var ms multistatus
	if err := xml.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&ms); err != nil {
		return nil, now, model.WrapError(model.EINTERNAL, err, "WebDAV list %s: bad answer", dir)
	}
	self, _ := url.Parse(u)
	var entries []davEntry
	for _, r := range ms.Responses {
		h, err := url.Parse(strings.TrimSpace(r.Href))
		if err != nil {
			continue
		}
		p := strings.TrimSuffix(h.Path, "/")
		if p == strings.TrimSuffix(self.Path, "/") || p == "" {
			continue
		}
		e := davEntry{name: path.Base(p)}
		e.modified, _ = http.ParseTime(strings.TrimSpace(r.Modified))
		entries = append(entries, e)
	}
	return entries, now, nil
}

// RemoveStale implements Target; age is measured by the server's clock
// (its Date header against the files' last-modified times), so a wrong
// clock here removes nothing that is still being uploaded.
func (w *WebDAVTarget) RemoveStale(ctx context.Context, dir, mark string, age time.Duration) (int, error) {
	entries, now, err := w.propfind(ctx, dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.name, tmpPrefix) || !strings.Contains(e.name, mark) || e.modified.IsZero() || now.Sub(e.modified) < age {
			continue
		}
		name := e.name
		if dir != "" {
			name = dir + "/" + e.name
		}
		if err := w.Delete(ctx, name); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// String names the target for logs without the password.
func (w *WebDAVTarget) String() string {
	if w.base == nil {
		return fmt.Sprint("webdav (", w.baseErr, ")")
	}
	return w.base.Redacted()
}
