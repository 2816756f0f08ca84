// Progressive enhancement only: every page works without it. Marks the page as able to run
// GOV.UK Frontend's components (error summary focus, conditional reveals, the menu on a phone)
// and starts them.
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
