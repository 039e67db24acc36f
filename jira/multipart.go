package jira

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"

	"github.com/setbot/setbot"
)

// multipartFile encodes f as the one "file" part Jira's attachment upload
// expects, streamed from f's content: the part's header, the content, and
// the closing boundary. Each call opens the content afresh, so every
// attempt of a retried upload sends it whole; length is the body's size.
func multipartFile(f *setbot.TicketFile) (body io.ReadCloser, length int64, contentType string, err error) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	if _, err := w.CreateFormFile("file", f.Name); err != nil {
		return nil, 0, "", err
	}
	tail := fmt.Sprintf("\r\n--%s--\r\n", w.Boundary()) // what w.Close writes after a part
	r, err := f.Content.Open()
	if err != nil {
		return nil, 0, "", fmt.Errorf("read %s: %w", f.Name, err)
	}
	length = int64(head.Len()) + f.Content.Len() + int64(len(tail))
	mr := io.MultiReader(&head, io.LimitReader(r, f.Content.Len()), bytes.NewReader([]byte(tail)))
	return readCloser{mr, r}, length, w.FormDataContentType(), nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
