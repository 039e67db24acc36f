package jira

import (
	"bytes"
	"mime/multipart"

	"github.com/setbot/setbot"
)

// multipartFile encodes f as the one "file" part Jira's attachment upload
// expects.
func multipartFile(f *setbot.TicketFile) (*bytes.Buffer, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", f.Name)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(f.Data); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return &buf, w.FormDataContentType(), nil
}
