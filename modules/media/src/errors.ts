/**
 * Error codes the media module answers with besides the platform's own (`unauthorized`,
 * `forbidden`, `not_found`, `payload_too_large`).
 */
export const mediaErrorCodes = {
  unsupported_media_type:
    'The upload is not sent as image/jpeg, image/png, image/webp, image/avif or image/gif.',
  not_an_image: 'The bytes could not be decoded as an image of the declared type.',
  image_too_large: 'The image has more pixels than the server decodes.',
} as const;
