/** Called as request-body bytes leave the process. */
export type UploadListener = (sentBytes: number) => void;

/**
 * A fetch that, while a listener is set, streams multipart bodies through a
 * byte counter, so an upload's progress is what has been sent, not what has
 * been read from disk. Other requests pass through untouched.
 */
export function countingFetch(listener: () => UploadListener | undefined): typeof fetch {
  return async (input, init) => {
    const onBytes = listener();
    if (!onBytes || !(init?.body instanceof FormData)) return fetch(input, init);
    // Let the platform encode the multipart body (and its boundary), then count the encoded stream.
    const encoded = new Request('http://localhost/', { method: 'POST', body: init.body });
    const headers = new Headers(init.headers);
    headers.set('content-type', encoded.headers.get('content-type') ?? 'multipart/form-data');
    headers.delete('content-length');
    let sent = 0;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.byteLength;
        onBytes(sent);
        controller.enqueue(chunk);
      },
    });
    return fetch(input, { ...init, headers, body: encoded.body!.pipeThrough(counter), duplex: 'half' } as RequestInit);
  };
}
